using OpenMme.Wire;

namespace OpenMme.Host;

/// <summary>The SageMaker runtime API front door: <c>POST /endpoints/{EndpointName}/invocations</c>.</summary>
public static class RuntimeApiEndpoints
{
    /// <summary>Maps InvokeEndpoint for the configured endpoint.</summary>
    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder endpoints)
    {
        var pipeline = endpoints.ServiceProvider.GetRequiredService<InvocationPipeline>();
        endpoints.MapPost("/endpoints/{endpointName}/invocations", (HttpContext context) =>
            pipeline.InvokeAsync(context, TargetModel(context.Request), WireSurface.RuntimeApi, endpointName: (string)context.Request.RouteValues["endpointName"]!));
        return endpoints;
    }

    internal static string? TargetModel(HttpRequest request) =>
        request.Headers.TryGetValue(SageMakerHeaders.TargetModel, out var value) ? value.ToString() : null;
}
