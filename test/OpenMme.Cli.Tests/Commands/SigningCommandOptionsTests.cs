using OpenMme.Host;
using OpenMme.TestSupport;
using OpenMme.Wire.Auth;

namespace OpenMme.Cli.Commands;

/// <summary><c>--auth</c> and <c>--access-keys</c>: nothing serves unsigned requests to a network unless told to.</summary>
public sealed class SigningCommandOptionsTests
{
    [Fact]
    public async Task Serve_on_a_network_address_without_keys_refuses_to_start()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Combine("models"));

        var (exitCode, output, error) = await CommandRun.InvokeAsync("serve", "--models", directory.Combine("models"), "--host", "0.0.0.0", "--port", "0");

        Assert.Equal(OpenMmeCommand.UsageError, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains("--host 0.0.0.0 is not a loopback address and no access keys are configured", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_router_on_a_network_address_without_keys_refuses_to_start()
    {
        var (exitCode, output, error) = await CommandRun.InvokeAsync("router", "--instance", "http://127.0.0.1:9", "--host", "0.0.0.0", "--port", "0");

        Assert.Equal(OpenMmeCommand.UsageError, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains("--host 0.0.0.0 is not a loopback address and no access keys are configured", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_access_key_file_that_cannot_be_read_is_named()
    {
        using var directory = new TempDirectory();
        var missing = directory.Combine("keys");

        var (exitCode, _, error) = await CommandRun.InvokeAsync("serve", "--models", directory.Path, "--access-keys", missing, "--port", "0");

        Assert.Equal(OpenMmeCommand.UsageError, exitCode);
        Assert.Contains($"--access-keys {missing}: the file cannot be read", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_demo_curl_line_signs_when_keys_are_configured_and_names_no_secret()
    {
        var keys = new RequestSigningSettings { AccessKeys = new Dictionary<string, string> { ["AKIDEXAMPLE"] = "secret" } };
        var address = new Uri("http://127.0.0.1:8080/");

        Assert.DoesNotContain("--aws-sigv4", ServeCommand.CurlLine(address, new ModelHostSettings()), StringComparison.Ordinal);
        var signed = ServeCommand.CurlLine(address, new ModelHostSettings { Signing = keys });
        Assert.EndsWith(" --aws-sigv4 'aws:amz:us-east-1:sagemaker' --user 'ACCESS_KEY_ID:SECRET_ACCESS_KEY'", signed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", signed, StringComparison.Ordinal);
    }

    [Fact]
    public void Fleet_children_listen_on_loopback_and_leave_verification_to_the_router()
    {
        var settings = new ModelHostSettings
        {
            ListenAddress = "0.0.0.0",
            Signing = new RequestSigningSettings { AccessKeys = new Dictionary<string, string> { ["AKIDEXAMPLE"] = "secret" } },
        };

        var arguments = HostCommandOptions.ChildArguments(settings, 0, 2, 0);

        Assert.Equal("127.0.0.1", arguments[arguments.IndexOf("--host") + 1]);
        Assert.Equal("none", arguments[arguments.IndexOf("--auth") + 1]);
        Assert.DoesNotContain(arguments, a => a.Contains("secret", StringComparison.Ordinal));
    }
}
