using System.CommandLine;
using OpenMme.Wire.Auth;

namespace OpenMme.Cli.Commands;

/// <summary>
/// <c>--auth</c> and <c>--access-keys</c>, shared by every command that serves the runtime API
/// (<c>serve</c>, <c>host</c>, <c>router</c>), and the signing settings they make with the
/// <c>OPENMME_ACCESS_KEY_ID</c> / <c>OPENMME_SECRET_ACCESS_KEY</c> environment variables.
/// </summary>
internal sealed class SigningCommandOptions
{
    public SigningCommandOptions()
    {
        Auth = new Option<string>("--auth")
        {
            Description = "Request signing: auto (verify AWS SigV4 when access keys are configured; without keys, serve unsigned requests on loopback "
                + "only), sigv4 (always verify) or none (never, even on a network address).",
            DefaultValueFactory = _ => "auto",
        };
        Auth.AcceptOnlyFromAmong("auto", "sigv4", "none");
        AccessKeys = new Option<string?>("--access-keys")
        {
            HelpName = "file",
            Description = $"Access keys that may sign requests: 'ACCESS_KEY_ID SECRET_ACCESS_KEY' a line, or a JSON object {{\"ID\": \"SECRET\"}}; "
                + $"also {RequestSigningSettings.AccessKeyIdVariable} and {RequestSigningSettings.SecretAccessKeyVariable}.",
        };
    }

    public Option<string> Auth { get; }

    public Option<string?> AccessKeys { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Auth);
        command.Options.Add(AccessKeys);
    }

    /// <summary>The signing settings the options and environment give (checked against the listen address later), or null after writing what is wrong.</summary>
    public async Task<RequestSigningSettings?> BuildAsync(ParseResult result, TextWriter errors)
    {
        var keys = await LoadKeysAsync(result.GetValue(AccessKeys), errors).ConfigureAwait(false);
        if (keys is null)
        {
            return null;
        }

        var mode = result.GetValue(Auth) switch
        {
            "sigv4" => AuthMode.SigV4,
            "none" => AuthMode.None,
            _ => AuthMode.Auto,
        };
        return new RequestSigningSettings { Mode = mode, AccessKeys = keys };
    }

    /// <summary>The keys of <paramref name="path"/> and of the environment, or null after writing each problem to <paramref name="errors"/>.</summary>
    public static async Task<Dictionary<string, string>?> LoadKeysAsync(string? path, TextWriter errors)
    {
        var problems = new List<string>();
        var keys = AccessKeyFile.Load(path, Environment.GetEnvironmentVariable, problems);
        foreach (var problem in problems)
        {
            await errors.WriteLineAsync(problem).ConfigureAwait(false);
        }

        return keys;
    }
}
