using OpenMme.Wire;

namespace OpenMme.Router;

/// <summary>
/// An endpoint created through the control plane, as the runtime API reaches it: its production
/// variants, each a fleet of its own, traffic split between them by weight.
/// </summary>
public sealed class EndpointFleet : IAsyncDisposable
{
    private readonly double _totalWeight;

    internal EndpointFleet(string name, IReadOnlyList<VariantFleet> variants)
    {
        Name = name;
        Variants = variants;
        foreach (var variant in variants)
        {
            _totalWeight += variant.Spec.Weight;
        }
    }

    /// <summary>The endpoint's name as created (invocations match it ignoring case, as SageMaker does).</summary>
    public string Name { get; }

    /// <summary>Its variants.</summary>
    public IReadOnlyList<VariantFleet> Variants { get; }

    /// <summary>Requests in flight on all its instances.</summary>
    public long InFlight
    {
        get
        {
            long total = 0;
            foreach (var variant in Variants)
            {
                total += variant.InFlight;
            }

            return total;
        }
    }

    /// <summary>Forwards one <c>InvokeEndpoint</c> to a variant chosen by weight.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        var variant = Choose();
        var target = context.Request.Headers[SageMakerHeaders.TargetModel].ToString();
        if (variant.Spec.SingleModelKey is { } key)
        {
            if (target.Length > 0)
            {
                context.Response.Headers[SageMakerHeaders.RequestId] = context.TraceIdentifier;
                return WireErrors.WriteAsync(context, WireErrors.TargetModelNotSupported,
                    $"Endpoint {Name} is a single-model endpoint: it takes no {SageMakerHeaders.TargetModel} header (TARGET_MODEL_HEADER_NOT_SUPPORTED).");
            }

            // The instances serve the model under its key; the caller never names it.
            context.Request.Headers[SageMakerHeaders.TargetModel] = key;
            target = key;
        }

        return variant.Forwarder.ForwardAsync(context, target.Length > 0 ? target : null, WireSurface.RuntimeApi);
    }

    private VariantFleet Choose()
    {
        if (Variants.Count == 1 || _totalWeight <= 0)
        {
            return Variants[0];
        }

        var point = Random.Shared.NextDouble() * _totalWeight;
        foreach (var variant in Variants)
        {
            point -= variant.Spec.Weight;
            if (point < 0)
            {
                return variant;
            }
        }

        return Variants[^1];
    }

    /// <summary>Stops every variant's health checks.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var variant in Variants)
        {
            await variant.DisposeAsync().ConfigureAwait(false);
        }
    }
}
