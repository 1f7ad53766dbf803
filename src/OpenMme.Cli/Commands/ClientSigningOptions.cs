using System.CommandLine;
using OpenMme.Wire.Auth;

namespace OpenMme.Cli.Commands;

/// <summary>
/// <c>--access-keys</c> and <c>--region</c> of the commands that send runtime API requests
/// (<c>invoke</c>, <c>bench</c>): they sign with AWS SigV4 when a key is at hand, from the file or
/// from the same <c>OPENMME_ACCESS_KEY_ID</c> / <c>OPENMME_SECRET_ACCESS_KEY</c> variables
/// <c>serve</c> reads, so one shell configures both sides. Without a key, requests go unsigned.
/// </summary>
internal sealed class ClientSigningOptions
{
    public Option<string?> AccessKeys { get; } = new("--access-keys")
    {
        HelpName = "file",
        Description = "Sign requests (AWS SigV4) with the first key of this file ('ACCESS_KEY_ID SECRET_ACCESS_KEY' a line, or a JSON object); "
            + $"otherwise with {RequestSigningSettings.AccessKeyIdVariable} and {RequestSigningSettings.SecretAccessKeyVariable} when set; unsigned without either.",
    };

    public Option<string> Region { get; } = new("--region") { HelpName = "region", Description = "Region named in the signature's credential scope.", DefaultValueFactory = _ => "us-east-1" };

    public void AddTo(Command command)
    {
        command.Options.Add(AccessKeys);
        command.Options.Add(Region);
    }

    /// <summary>The signer (null: unsigned), or false after writing what is wrong with the keys.</summary>
    public async Task<(bool Valid, SigV4Signer? Signer)> BuildAsync(ParseResult result, TextWriter errors)
    {
        var keys = await SigningCommandOptions.LoadKeysAsync(result.GetValue(AccessKeys), errors).ConfigureAwait(false);
        if (keys is null)
        {
            return (false, null);
        }

        return keys.Count == 0 ? (true, null) : (true, new SigV4Signer(keys.First().Key, keys.First().Value, result.GetValue(Region)!));
    }
}
