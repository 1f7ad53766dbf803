namespace OpenMme.ControlPlane;

/// <summary>The control plane's settings: where its state lives, the account it answers as, its quotas.</summary>
public sealed record ControlPlaneSettings
{
    /// <summary>
    /// The account id in ARNs and runtime errors. Twelve zeros by default: an id no AWS account has,
    /// so an ARN from OpenMME is never mistaken for a real one.
    /// </summary>
    public string AccountId { get; init; } = "000000000000";

    /// <summary>The region in ARNs.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The folder of <c>state.db</c>.</summary>
    public string StateDirectory { get; init; } = ".openmme";

    /// <summary>Endpoints that may exist at once (SageMaker's per-account endpoint quota).</summary>
    public int MaxEndpoints { get; init; } = 8;

    /// <summary>Instances one endpoint may run, all variants together.</summary>
    public int MaxInstancesPerEndpoint { get; init; } = 4;

    /// <summary>Instances all endpoints may run together: each is a process on this machine.</summary>
    public int MaxInstances { get; init; } = 8;

    /// <summary>The state database's path.</summary>
    public string DatabasePath => Path.Combine(StateDirectory, "state.db");

    /// <summary>What is wrong with the settings, one sentence each; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (AccountId.Length != 12 || !AccountId.All(char.IsAsciiDigit))
        {
            problems.Add($"--account-id '{AccountId}' must be 12 digits, e.g. 000000000000.");
        }

        if (Region.Length == 0 || !Region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            problems.Add($"--region '{Region}' must be a region name such as us-east-1.");
        }

        if (string.IsNullOrWhiteSpace(StateDirectory))
        {
            problems.Add("--state-dir must name a folder, e.g. .openmme.");
        }

        if (MaxEndpoints < 1 || MaxInstancesPerEndpoint < 1 || MaxInstances < 1)
        {
            problems.Add("--max-endpoints, --max-instances-per-endpoint and --max-instances must each be at least 1.");
        }

        return problems;
    }
}
