namespace OpenMme.Wire.Auth;

/// <summary>When signing is on, and the refusal to serve unsigned requests to a network.</summary>
public sealed class RequestSigningSettingsTests
{
    private static readonly Dictionary<string, string> Keys = new() { ["AKIDEXAMPLE"] = "secret" };

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    public void Without_keys_a_loopback_address_serves_unsigned_requests(string address)
    {
        var settings = new RequestSigningSettings();

        Assert.Empty(settings.Validate(address));
        Assert.False(settings.IsEnabled);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("10.0.0.5")]
    public void Without_keys_a_network_address_is_refused_unless_signing_is_turned_off(string address)
    {
        Assert.Equal(
            $"--host {address} is not a loopback address and no access keys are configured, so anyone who can reach it could invoke models: "
            + "give --access-keys FILE (or set OPENMME_ACCESS_KEY_ID and OPENMME_SECRET_ACCESS_KEY) to require signed requests, "
            + "or --auth none to serve unsigned requests on purpose.",
            Assert.Single(new RequestSigningSettings().Validate(address)));
        Assert.Empty(new RequestSigningSettings { Mode = AuthMode.None }.Validate(address));
        Assert.Empty(new RequestSigningSettings { AccessKeys = Keys }.Validate(address));
    }

    [Fact]
    public void Keys_turn_signing_on_unless_it_is_turned_off()
    {
        Assert.True(new RequestSigningSettings { AccessKeys = Keys }.IsEnabled);
        Assert.False(new RequestSigningSettings { AccessKeys = Keys, Mode = AuthMode.None }.IsEnabled);
    }

    [Fact]
    public void Sigv4_without_keys_is_refused()
    {
        Assert.Equal(
            "--auth sigv4 needs access keys: give --access-keys FILE, or set OPENMME_ACCESS_KEY_ID and OPENMME_SECRET_ACCESS_KEY.",
            Assert.Single(new RequestSigningSettings { Mode = AuthMode.SigV4 }.Validate("127.0.0.1")));
    }
}
