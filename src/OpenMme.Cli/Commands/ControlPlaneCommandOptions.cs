using System.CommandLine;
using OpenMme.ControlPlane;

namespace OpenMme.Cli.Commands;

/// <summary><c>serve</c>'s control-plane options: where its state lives, the region in its ARNs, its quotas.</summary>
internal sealed class ControlPlaneCommandOptions
{
    private readonly Option<string> _stateDir = new("--state-dir")
    {
        HelpName = "folder",
        Description = "Folder of the control plane's state (state.db): models, endpoint configs and endpoints, kept across restarts.",
        DefaultValueFactory = _ => ".openmme",
    };

    private readonly Option<string> _region = new("--region") { Description = "Region named in the control plane's ARNs.", DefaultValueFactory = _ => "us-east-1" };

    private readonly Option<int> _maxEndpoints = new("--max-endpoints")
    {
        HelpName = "count",
        Description = "Endpoints the control plane may create (ResourceLimitExceeded beyond).",
        DefaultValueFactory = _ => new ControlPlaneSettings().MaxEndpoints,
        CustomParser = OptionParsers.Int,
    };

    private readonly Option<int> _maxPerEndpoint = new("--max-instances-per-endpoint")
    {
        HelpName = "count",
        Description = "Instances one endpoint may run (ResourceLimitExceeded beyond).",
        DefaultValueFactory = _ => new ControlPlaneSettings().MaxInstancesPerEndpoint,
        CustomParser = OptionParsers.Int,
    };

    private readonly Option<int> _maxInstances = new("--max-instances")
    {
        HelpName = "count",
        Description = "Instances all created endpoints may run together: each is a process on this machine.",
        DefaultValueFactory = _ => new ControlPlaneSettings().MaxInstances,
        CustomParser = OptionParsers.Int,
    };

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[_stateDir, _region, _maxEndpoints, _maxPerEndpoint, _maxInstances])
        {
            command.Options.Add(option);
        }
    }

    public ControlPlaneSettings Build(ParseResult result, string accountId) => new()
    {
        StateDirectory = result.GetValue(_stateDir)!,
        Region = result.GetValue(_region)!,
        AccountId = accountId,
        MaxEndpoints = result.GetValue(_maxEndpoints),
        MaxInstancesPerEndpoint = result.GetValue(_maxPerEndpoint),
        MaxInstances = result.GetValue(_maxInstances),
    };
}
