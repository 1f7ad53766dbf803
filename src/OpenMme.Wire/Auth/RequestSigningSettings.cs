using System.Net;

namespace OpenMme.Wire.Auth;

/// <summary>Whether and how requests must be signed with AWS Signature Version 4; validated before anything starts.</summary>
public sealed record RequestSigningSettings
{
    /// <summary>The signing name of SageMaker's runtime API and control plane alike.</summary>
    public const string SageMakerService = "sagemaker";

    /// <summary>The environment variable with the access key id of one key pair.</summary>
    public const string AccessKeyIdVariable = "OPENMME_ACCESS_KEY_ID";

    /// <summary>The environment variable with the secret of that key pair.</summary>
    public const string SecretAccessKeyVariable = "OPENMME_SECRET_ACCESS_KEY";

    /// <summary>Longest secret accepted (AWS's own are 40 characters).</summary>
    public const int MaxSecretLength = 256;

    /// <summary><c>--auth</c>: verify when keys are configured (<c>auto</c>), always, or never.</summary>
    public AuthMode Mode { get; init; } = AuthMode.Auto;

    /// <summary>Access key id to secret access key. Not printed: a record's generated text shows only the dictionary's type.</summary>
    public IReadOnlyDictionary<string, string> AccessKeys { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How far <c>X-Amz-Date</c> may be from this machine's clock either way (AWS: 15 minutes).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The service a credential must be scoped to.</summary>
    public string Service { get; init; } = SageMakerService;

    /// <summary>True when requests are verified.</summary>
    public bool IsEnabled => Mode == AuthMode.SigV4 || (Mode == AuthMode.Auto && AccessKeys.Count > 0);

    /// <summary>
    /// Every setting that is wrong for a server listening on <paramref name="listenAddress"/>, with what would
    /// be right; empty when all are valid. With no keys, <c>auto</c> serves unsigned requests on loopback only.
    /// </summary>
    public IReadOnlyList<string> Validate(string listenAddress)
    {
        var problems = new List<string>();
        if (Mode == AuthMode.SigV4 && AccessKeys.Count == 0)
        {
            problems.Add($"--auth sigv4 needs access keys: give --access-keys FILE, or set {AccessKeyIdVariable} and {SecretAccessKeyVariable}.");
        }
        else if (Mode == AuthMode.Auto && AccessKeys.Count == 0 && !IsLoopback(listenAddress))
        {
            problems.Add($"--host {listenAddress} is not a loopback address and no access keys are configured, so anyone who can reach it could invoke models: "
                + $"give --access-keys FILE (or set {AccessKeyIdVariable} and {SecretAccessKeyVariable}) to require signed requests, "
                + "or --auth none to serve unsigned requests on purpose.");
        }

        foreach (var (id, secret) in AccessKeys)
        {
            if (AccessKeyFile.KeyIdProblem(id) is { } problem)
            {
                problems.Add(problem);
            }

            if (secret.Length is 0 or > MaxSecretLength)
            {
                problems.Add($"The secret of access key '{id}' must have 1 to {MaxSecretLength} characters.");
            }
        }

        if (ClockSkew <= TimeSpan.Zero)
        {
            problems.Add($"The clock skew {ClockSkew} must be positive (AWS allows 15 minutes).");
        }

        if (string.IsNullOrWhiteSpace(Service))
        {
            problems.Add($"The signing service name is empty: SageMaker's is '{SageMakerService}'.");
        }

        return problems;
    }

    /// <summary>True for an address only this machine can reach (<c>127.0.0.0/8</c>, <c>::1</c>).</summary>
    public static bool IsLoopback(string address) => IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);
}
