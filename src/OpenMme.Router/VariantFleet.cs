using OpenMme.Wire.Auth;
using Yarp.ReverseProxy.Forwarder;

namespace OpenMme.Router;

/// <summary>
/// One production variant's fleet inside a router that serves several endpoints: the same
/// <see cref="Fleet"/>, <see cref="Placement"/>, <see cref="FleetForwarder"/> and
/// <see cref="FleetMonitor"/> a one-fleet router composes through its services, composed here by hand
/// so that each variant keeps its own membership, health and placement.
/// </summary>
public sealed class VariantFleet : IAsyncDisposable
{
    private readonly FleetMonitor _monitor;
    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;

    internal VariantFleet(VariantFleetSpec spec, string endpointName, IHttpForwarder forwarder, HttpMessageInvoker invoker, HttpClient client, RouterMetrics metrics,
        SigV4Verifier signatures, ILoggerFactory loggers)
    {
        Spec = spec;
        Settings = new RouterSettings { EndpointName = endpointName, Instances = spec.Instances };
        Fleet = new Fleet(loggers.CreateLogger<Fleet>());
        Placement = new Placement(Settings.Policy, Settings.SpillThreshold);
        Forwarder = new FleetForwarder(forwarder, invoker, Fleet, Placement, Settings, metrics, signatures, loggers.CreateLogger<FleetForwarder>());
        _monitor = new FleetMonitor(Fleet, Settings, Settings.Source(), client, loggers.CreateLogger<FleetMonitor>());
    }

    /// <summary>What the variant was made from.</summary>
    public VariantFleetSpec Spec { get; }

    /// <summary>Its instances and their health.</summary>
    public Fleet Fleet { get; }

    /// <summary>Its placement.</summary>
    public Placement Placement { get; }

    /// <summary>Its forwarder.</summary>
    public FleetForwarder Forwarder { get; }

    /// <summary>The settings its parts share (health intervals, body limit, forward timeout: the router defaults).</summary>
    public RouterSettings Settings { get; }

    /// <summary>Requests in flight on its instances.</summary>
    public long InFlight
    {
        get
        {
            long total = 0;
            foreach (var instance in Fleet.All)
            {
                total += instance.InFlightTotal;
            }

            return total;
        }
    }

    /// <summary>Learns the members, starts the health checks and waits (until <paramref name="timeout"/>) for every member to answer <c>/ping</c>.</summary>
    /// <returns>Whether every member answered.</returns>
    public async Task<bool> StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _monitor.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        await _monitor.StartAsync(_stopping.Token).ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (Fleet.Healthy.Count < Fleet.All.Count)
            {
                await Task.Delay(Settings.HealthInterval / 4, deadline.Token).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Stops the health checks.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _monitor.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _monitor.Dispose();
        _stopping.Dispose();
    }
}
