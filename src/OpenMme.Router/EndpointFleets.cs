using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OpenMme.Telemetry;
using OpenMme.Wire.Auth;
using Yarp.ReverseProxy.Forwarder;

namespace OpenMme.Router;

/// <summary>
/// The endpoints a front door serves besides its own: each endpoint name created through the
/// control plane maps to its <see cref="EndpointFleet"/>. Names match ignoring case. Publishing a
/// fleet under a name that has one swaps them at once: requests that started keep their fleet, new
/// ones take the new one (an update never drops a request).
/// </summary>
/// <remarks>Its fleets verify runtime API signatures with the front door's <see cref="SigV4Verifier"/>: a created endpoint asks for what the built-in one does.</remarks>
public sealed class EndpointFleets(IHttpForwarder forwarder, IMeterFactory meters, SigV4Verifier signatures, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, EndpointFleet> _published = new(StringComparer.OrdinalIgnoreCase);

    private readonly HttpMessageInvoker _invoker = InstanceConnections.CreateForwarderInvoker();
    private readonly HttpClient _client = InstanceConnections.CreateMonitorClient();
    private readonly RouterMetrics _metrics = new(meters, MeterNames.ForInstance(RouterMetrics.MeterName + ".Endpoints"));

    /// <summary>Builds (does not publish) the fleets of an endpoint's variants; start each, then <see cref="Publish"/>.</summary>
    public EndpointFleet Create(string endpointName, IReadOnlyList<VariantFleetSpec> variants)
    {
        ArgumentOutOfRangeException.ThrowIfZero(variants.Count);
        var fleets = new VariantFleet[variants.Count];
        for (var i = 0; i < fleets.Length; i++)
        {
            fleets[i] = new VariantFleet(variants[i], endpointName, forwarder, _invoker, _client, _metrics, signatures, loggers);
        }

        return new EndpointFleet(endpointName, fleets);
    }

    /// <summary>Makes <paramref name="fleet"/> the one its name reaches; returns the one it replaces, or null.</summary>
    public EndpointFleet? Publish(EndpointFleet fleet)
    {
        EndpointFleet? replaced = null;
        _published.AddOrUpdate(fleet.Name, fleet, (_, old) =>
        {
            replaced = old;
            return fleet;
        });
        return replaced;
    }

    /// <summary>Takes the fleet of <paramref name="endpointName"/> out of service; returns it, or null.</summary>
    public EndpointFleet? Withdraw(string endpointName) => _published.TryRemove(endpointName, out var fleet) ? fleet : null;

    /// <summary>The published fleet of <paramref name="endpointName"/>.</summary>
    public bool TryGet(string endpointName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EndpointFleet? fleet) => _published.TryGetValue(endpointName, out fleet);

    /// <summary>The published fleet of <paramref name="endpointName"/>, looked up without making a string (per request).</summary>
    public bool TryGet(ReadOnlySpan<char> endpointName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EndpointFleet? fleet) => _published.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(endpointName, out fleet);

    /// <summary>Stops every fleet's health checks.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var fleet in _published.Values)
        {
            await fleet.DisposeAsync().ConfigureAwait(false);
        }

        _published.Clear();
        _invoker.Dispose();
        _client.Dispose();
    }
}
