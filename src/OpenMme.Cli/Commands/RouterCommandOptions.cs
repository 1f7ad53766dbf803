using System.CommandLine;
using System.Net;
using OpenMme.Router;

namespace OpenMme.Cli.Commands;

/// <summary>
/// The router's options: placement and health for <c>serve --instances</c>, and for <c>router</c>
/// also where the instances are and where to listen.
/// </summary>
internal sealed class RouterCommandOptions
{
    private readonly bool _forServe;

    public RouterCommandOptions(bool forServe)
    {
        _forServe = forServe;
        Placement = new Option<string>("--placement")
        {
            Description = "How requests choose instances: rendezvous (each model has a home, sticky to loaded copies, spills when busy) or random.",
            DefaultValueFactory = _ => "rendezvous",
        };
        Placement.AcceptOnlyFromAmong("rendezvous", "random");
        SpillAt = new Option<int>("--spill-at")
        {
            HelpName = "count",
            Description = "Requests of one model in flight on its instance from which the next goes to the next instance (0: never spill).",
            DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount),
            CustomParser = OptionParsers.Int,
        };
        HealthInterval = new Option<double>("--health-interval")
        {
            HelpName = "seconds",
            Description = "Seconds between /ping checks of each instance.",
            DefaultValueFactory = _ => 1,
            CustomParser = OptionParsers.Double,
        };
        HealthTimeout = new Option<double>("--health-timeout")
        {
            HelpName = "seconds",
            Description = "Seconds a /ping may take; two failed checks in a row take an instance out until it answers again.",
            DefaultValueFactory = _ => 1,
            CustomParser = OptionParsers.Double,
        };
        Instance = new Option<string[]>("--instance") { HelpName = "url", Description = "An instance, e.g. http://127.0.0.2:8080 (repeatable).", AllowMultipleArgumentsPerToken = false };
        Dns = new Option<string?>("--dns")
        {
            HelpName = "name[:port]",
            Description = "A DNS name whose A/AAAA records are the instances (a Kubernetes headless Service), asked again every --dns-interval; port 8080 unless given.",
        };
        DnsInterval = new Option<double>("--dns-interval")
        {
            HelpName = "seconds",
            Description = "Seconds between DNS lookups of --dns: how soon instances added or removed there join or leave.",
            DefaultValueFactory = _ => 5,
            CustomParser = OptionParsers.Double,
        };
        DnsServer = new Option<string?>("--dns-server") { HelpName = "address:port", Description = "The DNS server to ask (default: the system's resolver)." };
        Port = new Option<int>("--port") { Description = "TCP port (0: any free port).", DefaultValueFactory = _ => 8080, CustomParser = OptionParsers.Int };
        Host = new Option<string>("--host") { HelpName = "address", Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        Endpoint = new Option<string>("--endpoint-name") { HelpName = "name", Description = "Endpoint name of the runtime API.", DefaultValueFactory = _ => "local" };
        JsonLogs = new Option<bool>("--json-logs") { Description = "Write logs as JSON lines." };
        Signing = new SigningCommandOptions();
    }

    public Option<string> Placement { get; }

    public Option<int> SpillAt { get; }

    public Option<double> HealthInterval { get; }

    public Option<double> HealthTimeout { get; }

    public Option<string[]> Instance { get; }

    public Option<string?> Dns { get; }

    public Option<double> DnsInterval { get; }

    public Option<string?> DnsServer { get; }

    public Option<int> Port { get; }

    public Option<string> Host { get; }

    public Option<string> Endpoint { get; }

    public Option<bool> JsonLogs { get; }

    /// <summary><c>--auth</c> and <c>--access-keys</c> of <c>router</c> (<c>serve</c> has its own, shared with its one instance).</summary>
    public SigningCommandOptions Signing { get; }

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[Placement, SpillAt, HealthInterval, HealthTimeout])
        {
            command.Options.Add(option);
        }

        if (!_forServe)
        {
            foreach (var option in (Option[])[Instance, Dns, DnsInterval, DnsServer, Port, Host, Endpoint, JsonLogs])
            {
                command.Options.Add(option);
            }

            Signing.AddTo(command);
        }
    }

    /// <summary>The router settings the options give (unchecked: <see cref="RouterSettings.Validate"/>).</summary>
    public RouterSettings Build(ParseResult result, string? endpointName = null)
    {
        var settings = new RouterSettings
        {
            Policy = result.GetValue(Placement) == "random" ? PlacementPolicy.Random : PlacementPolicy.Rendezvous,
            SpillThreshold = result.GetValue(SpillAt),
            HealthInterval = TimeSpan.FromSeconds(result.GetValue(HealthInterval)),
            HealthTimeout = TimeSpan.FromSeconds(result.GetValue(HealthTimeout)),
            EndpointName = endpointName ?? result.GetValue(Endpoint)!,
        };
        if (_forServe)
        {
            return settings;
        }

        settings = settings with
        {
            Port = result.GetValue(Port),
            ListenAddress = result.GetValue(Host)!,
            JsonLogs = result.GetValue(JsonLogs),
            DiscoveryInterval = TimeSpan.FromSeconds(result.GetValue(DnsInterval)),
            Instances = (result.GetValue(Instance) ?? []).Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri : new Uri("invalid:" + Uri.EscapeDataString(u))).ToArray(),
        };
        if (result.GetValue(Dns) is { } dns)
        {
            var colon = dns.LastIndexOf(':');
            settings = colon > 0 && int.TryParse(dns[(colon + 1)..], out var dnsPort)
                ? settings with { DnsName = dns[..colon], DnsPort = dnsPort }
                : settings with { DnsName = dns };
        }

        if (result.GetValue(DnsServer) is { } server)
        {
            settings = settings with { DnsServer = IPEndPoint.TryParse(server, out var endpoint) ? (endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint) : null };
        }

        return settings;
    }
}
