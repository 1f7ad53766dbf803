using OpenMme.Failures;
using OpenMme.Wire;

namespace OpenMme.Host;

/// <summary>The SageMaker runtime API front door: <c>POST /endpoints/{EndpointName}/invocations</c>.</summary>
public static class RuntimeApiEndpoints
{
    /// <summary>Maps InvokeEndpoint for the configured endpoint.</summary>
    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder endpoints)
    {
        var pipeline = endpoints.ServiceProvider.GetRequiredService<InvocationPipeline>();
        var options = endpoints.ServiceProvider.GetRequiredService<ModelHostOptions>();
        endpoints.MapPost("/endpoints/{endpointName}/invocations", (HttpContext context) =>
        {
            var endpointName = (string)context.Request.RouteValues["endpointName"]!;
            if (!string.Equals(endpointName, options.EndpointName, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[SageMakerHeaders.RequestId] = context.TraceIdentifier;
                return WireErrors.WriteAsync(context, FailureKind.InvalidRequest, WireSurface.RuntimeApi, $"Endpoint {endpointName} of account {options.AccountId} not found.");
            }

            return pipeline.InvokeAsync(context, TargetModel(context.Request), WireSurface.RuntimeApi);
        });
        return endpoints;
    }

    internal static string? TargetModel(HttpRequest request) =>
        request.Headers.TryGetValue(SageMakerHeaders.TargetModel, out var value) ? value.ToString() : null;
}
