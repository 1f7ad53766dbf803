using OpenMme.Wire;
using Yarp.ReverseProxy.Forwarder;

namespace OpenMme.Router;

/// <summary>
/// Sends a request body the router already holds (it reads each body once, to verify it and to
/// send it again on failover) in the same write as the request's headers. YARP streams a body
/// through its own content, which flushes the headers first so that a slow upload starts early:
/// right for a streaming proxy, but here it costs a second send per request and a second wake-up
/// of the instance. YARP does not let a transform replace its content, so the transformer only
/// marks the outgoing request with the body and <see cref="Handler"/>, the first handler of the
/// forwarder's client, swaps the content. YARP never starts its own content then, the case it
/// already handles for a request answered before its body was asked for.
/// </summary>
public static class HeldBody
{
    private static readonly HttpRequestOptionsKey<RequestBody> Key = new("OpenMme.HeldBody");

    /// <summary>The transformer of <see cref="IHttpForwarder.SendAsync(HttpContext, string, HttpMessageInvoker, ForwarderRequestConfig, HttpTransformer)"/> for a request whose body is <paramref name="body"/>.</summary>
    public static HttpTransformer Transformer(RequestBody body) => new MarkingTransformer(body);

    private sealed class MarkingTransformer(RequestBody body) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            proxyRequest.Options.Set(Key, body);
        }
    }

    /// <summary>Replaces the content of a marked request by the held bytes, keeping its content headers.</summary>
    public sealed class Handler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } streamed && request.Options.TryGetValue(Key, out var body))
            {
                var held = new ReadOnlyMemoryContent(body.Memory);
                foreach (var header in streamed.Headers)
                {
                    held.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request.Content = held;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
