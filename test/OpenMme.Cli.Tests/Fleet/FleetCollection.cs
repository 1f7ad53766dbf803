namespace OpenMme.Cli.Fleet;

/// <summary>
/// Each fleet test starts several hosts and a router and measures how soon the router reacts to
/// a fault. They run alone, so two fleets never share the machine's cores and skew each other's
/// health checks.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetCollection
{
    public const string Name = "fleet on loopback";
}
