using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenMme.ControlPlane.Auth;
using OpenMme.Wire;

namespace OpenMme.ControlPlane.Api;

/// <summary>
/// The SageMaker JSON 1.1 control plane: <c>POST /</c> with <c>X-Amz-Target: SageMaker.Operation</c>,
/// a JSON body in, a JSON body out; refusals as 400 with <c>{"__type","message"}</c>, which botocore and
/// the AWS SDK for JavaScript turn into their typed errors.
/// </summary>
public static partial class ControlPlaneEndpoints
{
    public const string ContentType = "application/x-amz-json-1.1";
    private const string TargetPrefix = "SageMaker.";

    /// <summary>Larger than any request of the operations served (an Environment of 100 variables of 1 KiB keys and values is ~200 KiB).</summary>
    private const int MaxBodyBytes = 1024 * 1024;

    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps <c>POST /</c>.</summary>
    public static IEndpointRouteBuilder MapControlPlane(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var models = services.GetRequiredService<ModelOperations>();
        var configs = services.GetRequiredService<EndpointConfigOperations>();
        var endpointOperations = services.GetRequiredService<EndpointOperations>();
        var operations = new Dictionary<string, Func<JsonElement, CancellationToken, Task<JsonObject>>>(StringComparer.Ordinal)
        {
            ["CreateModel"] = models.CreateAsync,
            ["DescribeModel"] = models.DescribeAsync,
            ["DeleteModel"] = models.DeleteAsync,
            ["ListModels"] = models.ListAsync,
            ["CreateEndpointConfig"] = configs.CreateAsync,
            ["DescribeEndpointConfig"] = configs.DescribeAsync,
            ["DeleteEndpointConfig"] = configs.DeleteAsync,
            ["ListEndpointConfigs"] = configs.ListAsync,
            ["CreateEndpoint"] = endpointOperations.CreateAsync,
            ["DescribeEndpoint"] = endpointOperations.DescribeAsync,
            ["UpdateEndpoint"] = endpointOperations.UpdateAsync,
            ["DeleteEndpoint"] = endpointOperations.DeleteAsync,
            ["ListEndpoints"] = endpointOperations.ListAsync,
        };
        var verifiers = services.GetServices<IRequestVerifier>().ToArray();
        endpoints.MapPost("/", (HttpContext context) => HandleAsync(context, operations, verifiers));
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, Dictionary<string, Func<JsonElement, CancellationToken, Task<JsonObject>>> operations, IRequestVerifier[] verifiers)
    {
        context.Response.Headers[SageMakerHeaders.RequestId] = context.TraceIdentifier;
        var cancellationToken = context.RequestAborted;
        try
        {
            using var body = await RequestBody.ReadAsync(context.Request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
            var bytes = body.Span.ToArray();
            foreach (var verifier in verifiers)
            {
                if (await verifier.VerifyAsync(context.Request, bytes, cancellationToken).ConfigureAwait(false) is { } refusal)
                {
                    await WriteErrorAsync(context, refusal.Status, refusal.Type, refusal.Message).ConfigureAwait(false);
                    return;
                }
            }

            var target = context.Request.Headers["X-Amz-Target"].ToString();
            if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal) || !operations.TryGetValue(target[TargetPrefix.Length..], out var operation))
            {
                throw ControlPlaneErrors.Unknown(target);
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes.Length == 0 ? "{}"u8.ToArray() : bytes);
            }
            catch (JsonException e)
            {
                throw new ControlPlaneException(ControlPlaneErrors.Serialization, $"The request body is not JSON: {e.Message}");
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ControlPlaneException(ControlPlaneErrors.Serialization, "The request body must be a JSON object.");
                }

                // SQLite's async calls complete synchronously: keep them off a router's inline I/O threads.
                var root = document.RootElement;
                var result = await Task.Run(() => operation(root, cancellationToken), cancellationToken).ConfigureAwait(false);
                context.Response.ContentType = ContentType;
                await context.Response.WriteAsync(result.ToJsonString(Output), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ControlPlaneException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.Type, e.Message).ConfigureAwait(false);
        }
        catch (Failures.ModelHostException e)
        {
            // The request body was too large or cut short.
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, ControlPlaneErrors.Validation, e.Message).ConfigureAwait(false);
        }
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.Headers[WireErrors.ErrorTypeHeader] = type;
        return context.Response.WriteAsync(new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString(Output), context.RequestAborted);
    }
}
