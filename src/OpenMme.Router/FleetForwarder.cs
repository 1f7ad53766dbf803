using OpenMme.Failures;
using OpenMme.Wire;
using OpenMme.Wire.Auth;
using Yarp.ReverseProxy.Forwarder;

namespace OpenMme.Router;

/// <summary>
/// Sends one request to the instance placement chooses, with YARP's forwarder. A request that
/// could not be delivered (connection refused or reset before any response) goes to the next
/// instance in the model's order, with the body read once and sent again; a response that has
/// started is never replayed. The answer carries <c>X-OpenMme-Instance</c> and
/// <c>X-OpenMme-Route</c>, and what the instance says in <c>X-OpenMme-Cache</c> teaches the router
/// where the model is loaded. A runtime API request is verified (SigV4) before it goes anywhere: a
/// refused one never reaches an instance.
/// </summary>
public sealed partial class FleetForwarder(
    IHttpForwarder forwarder, HttpMessageInvoker invoker, Fleet fleet, Placement placement, RouterSettings settings, RouterMetrics metrics,
    SigV4Verifier signatures, ILogger<FleetForwarder> logger)
{
    public const string InstanceHeader = "X-OpenMme-Instance";
    public const string RouteHeader = "X-OpenMme-Route";

    private readonly ForwarderRequestConfig _config = new() { ActivityTimeout = settings.ForwardTimeout };

    /// <summary>Forwards the request for <paramref name="model"/> (null: any instance will do, e.g. to answer a bad request).</summary>
    public async Task ForwardAsync(HttpContext context, string? model, WireSurface surface)
    {
        RequestBody body;
        try
        {
            body = await RequestBody.ReadAsync(context.Request, settings.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ModelHostException e)
        {
            await WireErrors.WriteAsync(context, e.Kind, surface, e.Message).ConfigureAwait(false);
            return;
        }

        using (body)
        {
            if (surface == WireSurface.RuntimeApi && signatures.Verify(context.Request, body.Span) is { IsAccepted: false } refused)
            {
                LogRefused(context.TraceIdentifier, WireErrors.For(refused.Failure).Code, refused.Message);
                context.Response.Headers[SageMakerHeaders.RequestId] = context.TraceIdentifier;
                await WireErrors.WriteAsync(context, refused, surface).ConfigureAwait(false);
                return;
            }

            await ForwardAsync(context, model ?? string.Empty, body).ConfigureAwait(false);
        }
    }

    private async Task ForwardAsync(HttpContext context, string model, RequestBody body)
    {
        List<FleetInstance>? tried = null;
        while (true)
        {
            var route = placement.Choose(model, fleet.Healthy, tried);
            if (route is not { } chosen)
            {
                metrics.Undeliverable.Add(1);
                var triedText = tried is null ? "no instance is healthy" : "tried " + string.Join(", ", tried);
                await WireErrors.WriteAsync(context, new WireError(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable"),
                    $"No instance could take the request ({triedText}); retry shortly.").ConfigureAwait(false);
                return;
            }

            var instance = chosen.Instance;
            context.Request.Body = body.OpenRead();
            context.Response.Headers[InstanceHeader] = instance.Id;
            context.Response.Headers[RouteHeader] = RouteText(chosen.Reason);
            ForwarderError error;
            using (instance.Enter(model))
            {
                error = await forwarder.SendAsync(context, instance.Address.GetLeftPart(UriPartial.Authority), invoker, _config, HeldBody.Transformer(body)).ConfigureAwait(false);
            }

            if (error == ForwarderError.None)
            {
                Delivered(context, model, chosen);
                return;
            }

            // Not delivered and nothing answered yet: the next instance in the model's order.
            if (error is ForwarderError.Request or ForwarderError.RequestCreation && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                var reason = context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
                fleet.Failed(instance, settings.UnhealthyAfter, delivery: true, $"a request could not be delivered ({reason})");
                metrics.Failovers.Add(1, new KeyValuePair<string, object?>("instance", instance.Id));
                LogFailover(instance.Id, model, reason);
                (tried ??= []).Add(instance);
                context.Response.Clear();
                context.Features.Set<IForwarderErrorFeature>(null);
                continue;
            }

            LogForwardFailed(instance.Id, model, error);
            return;
        }
    }

    private void Delivered(HttpContext context, string model, Route route)
    {
        var instance = route.Instance;
        metrics.Requests.Add(1, new KeyValuePair<string, object?>("instance", instance.Id), new KeyValuePair<string, object?>("route", RouteText(route.Reason)));
        if (route.Reason == RouteReason.Spill)
        {
            metrics.Spills.Add(1);
        }

        var cache = context.Response.Headers[SageMakerHeaders.Cache].ToString();
        if (cache.Length > 0)
        {
            metrics.CacheLookups.Add(1, new KeyValuePair<string, object?>("result", cache));
        }

        // A success means the instance has the model in memory now.
        if (model.Length > 0 && context.Response.StatusCode is >= 200 and < 300)
        {
            instance.Loaded(model);
        }
    }

    private static string RouteText(RouteReason reason) => reason switch
    {
        RouteReason.Home => "home",
        RouteReason.Sticky => "sticky",
        RouteReason.Spill => "spill",
        _ => "random",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} refused before forwarding ({Code}): {Reason}")]
    private partial void LogRefused(string requestId, string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request for {Model} not delivered to {Instance}, trying the next instance: {Reason}")]
    private partial void LogFailover(string instance, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request for {Model} to {Instance} failed after delivery: {Error}")]
    private partial void LogForwardFailed(string instance, string model, ForwarderError error);
}
