using System.Net;
using OpenMme.Wire.Auth;

namespace OpenMme.Router;

/// <summary>Everything the router needs; validated before it starts.</summary>
public sealed record RouterSettings
{
    /// <summary>Address Kestrel binds.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The endpoint name of the runtime API (<c>/endpoints/{name}/invocations</c>).</summary>
    public string EndpointName { get; init; } = "local";

    /// <summary>Instance addresses (<c>--instance</c>); used when <see cref="DnsName"/> is null.</summary>
    public IReadOnlyList<Uri> Instances { get; init; } = [];

    /// <summary>A DNS name whose A/AAAA records are the instances (a headless Service), or null.</summary>
    public string? DnsName { get; init; }

    /// <summary>The instances' port when found through DNS.</summary>
    public int DnsPort { get; init; } = 8080;

    /// <summary>The DNS server to ask, or null for the system's resolver.</summary>
    public IPEndPoint? DnsServer { get; init; }

    /// <summary>How often DNS is asked again.</summary>
    public TimeSpan DiscoveryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each instance's <c>/ping</c> is checked.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a <c>/ping</c> may take before it counts as failed.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed checks in a row that take an instance out of the set (a failed delivery takes it out at once).</summary>
    public int UnhealthyAfter { get; init; } = 2;

    /// <summary>How often each instance's <c>GET /models</c> is read to learn what it holds.</summary>
    public TimeSpan ModelsInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How requests choose instances.</summary>
    public PlacementPolicy Policy { get; init; } = PlacementPolicy.Rendezvous;

    /// <summary>Requests of one model in flight on one instance from which the next goes to the next instance; 0 for no spill.</summary>
    public int SpillThreshold { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Largest request body, as on SageMaker.</summary>
    public int MaxBodyBytes { get; init; } = 6 * 1024 * 1024;

    /// <summary>How long a forwarded request may go without activity before it fails.</summary>
    public TimeSpan ForwardTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Logs as JSON lines instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Whether the runtime API verifies AWS SigV4 signatures before forwarding, and with which keys.</summary>
    public RequestSigningSettings Signing { get; init; } = new();

    /// <summary>What is wrong with the settings, one sentence each; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(Signing.Validate(ListenAddress));
        if (DnsName is null && Instances.Count == 0)
        {
            problems.Add("Name the instances: --instance URL (repeatable) or --dns NAME.");
        }

        if (DnsName is not null && Instances.Count > 0)
        {
            problems.Add("Give --instance or --dns, not both.");
        }

        if (Instances.Any(i => !i.IsAbsoluteUri || i.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add("--instance takes http:// URLs, e.g. http://127.0.0.1:8081.");
        }

        if (HealthInterval <= TimeSpan.Zero || HealthTimeout <= TimeSpan.Zero || UnhealthyAfter < 1)
        {
            problems.Add("Health checks need a positive interval and timeout and at least one failure to act on.");
        }

        if (DiscoveryInterval <= TimeSpan.Zero)
        {
            problems.Add("--dns-interval must be a positive number of seconds, e.g. 5.");
        }

        if (SpillThreshold < 0)
        {
            problems.Add("--spill-at must be 0 (no spill) or more.");
        }

        if (DnsPort is < 1 or > 65535)
        {
            problems.Add("--dns port must be from 1 to 65535.");
        }

        return problems;
    }

    /// <summary>The instance source these settings name.</summary>
    public IInstanceSource Source() => DnsName is null ? new StaticInstances(Instances) : new DnsInstances(DnsName, DnsPort, DnsServer);
}
