using System.Net;
using System.Text.Json;
using OpenMme.Samples;
using OpenMme.TestSupport;
using OpenMme.Wire.Auth;

namespace OpenMme.Host;

/// <summary>
/// The runtime API of a real instance on loopback with access keys configured: requests signed with a
/// configured key are served; a wrong secret, an unknown key, a tampered body, a stale date or no
/// signature get 403 with AWS's code and message before any model is loaded or run. Through a fleet
/// (OPENMME_TEST_FLEET), the router verifies, as <c>serve --instances</c> composes it.
/// </summary>
public sealed class SignedRequestTests
{
    private const string KeyId = "AKIAOPENMMETEST0001";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYOPENMMEKEY";

    [Fact]
    public async Task A_request_signed_with_a_configured_key_is_served()
    {
        await using var host = await StartAsync();
        var sample = await host.AddSampleAsync(0);

        using var response = await host.Client.SendAsync(Signed(host, sample, Secret));

        await HostFixture.AssertExpectedAsync(sample, response);
    }

    [Fact]
    public async Task Every_bad_signature_is_refused_with_its_code_and_no_model_is_loaded_or_run()
    {
        await using var host = await StartAsync();
        var warm = await host.AddSampleAsync(0);
        var cold = await host.AddSampleAsync(1);
        using (var first = await host.Client.SendAsync(Signed(host, warm, Secret)))
        {
            await HostFixture.AssertExpectedAsync(warm, first);
        }

        var before = host.Caches.Select(c => c.Counters).ToArray();
        foreach (var sample in new[] { warm, cold })
        {
            var body = SampleWriter.RequestJson(sample);
            var tampered = (byte[])body.Clone();
            tampered[^2] ^= 0x01;
            var cases = new (string Case, HttpRequestMessage Request, string Code, string Message)[]
            {
                ("wrong secret", Signed(host, sample, "not-the-secret"), "InvalidSignatureException",
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."),
                ("unknown key", SigV4TestSigner.InvokeRequest(host.Client.BaseAddress!, sample.Name, body, "AKIAUNKNOWN000000000", Secret, DateTimeOffset.UtcNow),
                    "UnrecognizedClientException", "The security token included in the request is invalid."),
                ("tampered body", SigV4TestSigner.InvokeRequest(host.Client.BaseAddress!, sample.Name, body, KeyId, Secret, DateTimeOffset.UtcNow, sentBody: tampered),
                    "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."),
                ("stale date", SigV4TestSigner.InvokeRequest(host.Client.BaseAddress!, sample.Name, body, KeyId, Secret, DateTimeOffset.UtcNow.AddMinutes(-20)),
                    "InvalidSignatureException", "Signature expired: "),
                ("no signature", Unsigned(sample, "local"), "MissingAuthenticationTokenException", "Missing Authentication Token"),
                ("no signature, unknown endpoint", Unsigned(sample, "elsewhere"), "MissingAuthenticationTokenException", "Missing Authentication Token"),
            };

            foreach (var (name, request, code, message) in cases)
            {
                using (request)
                using (var response = await host.Client.SendAsync(request))
                {
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{name}: {(int)response.StatusCode} {text}");
                    Assert.Equal(code, HostFixture.Header(response, "x-amzn-ErrorType"));
                    Assert.NotEmpty(HostFixture.Header(response, "x-amzn-RequestId"));
                    using var document = JsonDocument.Parse(text);
                    Assert.StartsWith(message, document.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
                }
            }
        }

        // Nothing was leased, loaded or run: every counter of the memory tier is as it was, and the cold model is not loaded.
        Assert.Equal(before, host.Caches.Select(c => c.Counters).ToArray());
        var models = await host.Client.GetStringAsync("/models");
        Assert.Contains(warm.Name, models, StringComparison.Ordinal);
        Assert.DoesNotContain(cold.Name, models, StringComparison.Ordinal);

        // The same request, signed right, is served: the refusals were the signature's doing.
        using var signed = await host.Client.SendAsync(Signed(host, cold, Secret));
        await HostFixture.AssertExpectedAsync(cold, signed);
    }

    [Fact]
    public async Task A_stale_date_names_the_window_as_AWS_does()
    {
        await using var host = await StartAsync();
        var sample = await host.AddSampleAsync(0);
        var stale = DateTimeOffset.UtcNow.AddMinutes(-16);

        using var response = await host.Client.SendAsync(
            SigV4TestSigner.InvokeRequest(host.Client.BaseAddress!, sample.Name, SampleWriter.RequestJson(sample), KeyId, Secret, stale));

        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString()!;
        Assert.Matches($"^Signature expired: {stale.UtcDateTime:yyyyMMdd'T'HHmmss'Z'} is now earlier than \\d{{8}}T\\d{{6}}Z \\(\\d{{8}}T\\d{{6}}Z - 15 min\\.\\)$", message);
    }

    [Fact]
    public async Task Without_keys_on_loopback_unsigned_requests_are_served_as_before()
    {
        await using var host = await HostFixture.StartAsync();
        var sample = await host.AddSampleAsync(0);

        using var response = await host.InvokeSampleAsync(sample);

        await HostFixture.AssertExpectedAsync(sample, response);
    }

    [Fact]
    public void A_network_address_without_keys_is_refused_unless_signing_is_turned_off()
    {
        var settings = new ModelHostSettings { ListenAddress = "0.0.0.0", ModelSource = Path.GetTempPath() };

        Assert.Contains(settings.Validate(), p => p.StartsWith("--host 0.0.0.0 is not a loopback address and no access keys are configured", StringComparison.Ordinal));
        Assert.Empty((settings with { Signing = new RequestSigningSettings { Mode = AuthMode.None } }).Validate());
        Assert.Empty((settings with { Signing = Keys() }).Validate());
    }

    private static Task<HostFixture> StartAsync() => HostFixture.StartAsync(s => s with { Signing = Keys() });

    private static RequestSigningSettings Keys() => new() { AccessKeys = new Dictionary<string, string> { [KeyId] = Secret } };

    private static HttpRequestMessage Signed(HostFixture host, SampleModel sample, string secret) =>
        SigV4TestSigner.InvokeRequest(host.Client.BaseAddress!, sample.Name, SampleWriter.RequestJson(sample), KeyId, secret, DateTimeOffset.UtcNow);

    private static HttpRequestMessage Unsigned(SampleModel sample, string endpoint)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{endpoint}/invocations") { Content = new ByteArrayContent(SampleWriter.RequestJson(sample)) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Target-Model", sample.Name);
        return request;
    }
}
