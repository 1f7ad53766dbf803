using System.Diagnostics.Metrics;

namespace OpenMme.Router;

/// <summary>
/// The router's instruments. Labels are bounded: an instance (as many as the fleet has), a route
/// reason or a cache result, never a model name.
/// </summary>
public sealed class RouterMetrics
{
    /// <summary>The meter's name, for exporters.</summary>
    public const string MeterName = "OpenMme.Router";

    public RouterMetrics(IMeterFactory factory, string meterName = MeterName)
    {
        var meter = factory.Create(meterName);
        Requests = meter.CreateCounter<long>("openmme.router.requests", description: "Requests forwarded, by instance and route (home, sticky, spill, random).");
        Spills = meter.CreateCounter<long>("openmme.router.spills", description: "Requests sent past a model's busy instances (bounded-load spill).");
        Failovers = meter.CreateCounter<long>("openmme.router.failovers", description: "Requests sent to the next instance because one could not be reached, by the instance that failed.");
        Undeliverable = meter.CreateCounter<long>("openmme.router.undeliverable", description: "Requests no instance could take (503).");
        CacheLookups = meter.CreateCounter<long>("openmme.router.cache_lookups", description: "Answers by where the instance found the model: hit, disk or miss (aggregate hit ratio = hit / all).");
    }

    public Counter<long> Requests { get; }

    public Counter<long> Spills { get; }

    public Counter<long> Failovers { get; }

    public Counter<long> Undeliverable { get; }

    public Counter<long> CacheLookups { get; }
}
