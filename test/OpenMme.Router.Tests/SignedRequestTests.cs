using System.Net;
using System.Text.Json;
using OpenMme.Samples;
using OpenMme.TestSupport;
using OpenMme.Wire.Auth;

namespace OpenMme.Router;

/// <summary>
/// A router with access keys configured in front of instances that verify nothing (as <c>serve --instances</c>
/// runs them): it forwards requests signed right and refuses the rest itself, so no instance sees them.
/// </summary>
public sealed class SignedRequestTests
{
    private const string KeyId = "AKIAOPENMMEROUTER001";
    private const string Secret = "router/secret+key";

    [Fact]
    public async Task The_router_forwards_signed_requests_and_refuses_bad_ones_before_any_instance_sees_them()
    {
        await using var fleet = await FleetFixture.StartAsync(instances: 2, models: 2,
            router: r => r with { Signing = new RequestSigningSettings { AccessKeys = new Dictionary<string, string> { [KeyId] = Secret } } });
        var endpoint = fleet.Client.BaseAddress!;
        var warm = fleet.Samples[0];
        using (var signed = await fleet.Client.SendAsync(SigV4TestSigner.InvokeRequest(endpoint, warm.Name, SampleWriter.RequestJson(warm), KeyId, Secret, DateTimeOffset.UtcNow)))
        {
            await FleetFixture.AssertCorrectAsync(warm, signed);
        }

        var before = new[] { fleet.Counters(0), fleet.Counters(1) };
        foreach (var sample in fleet.Samples)
        {
            var body = SampleWriter.RequestJson(sample);
            var tampered = (byte[])body.Clone();
            tampered[^2] ^= 0x01;
            foreach (var (request, code) in new[]
            {
                (SigV4TestSigner.InvokeRequest(endpoint, sample.Name, body, KeyId, "wrong", DateTimeOffset.UtcNow), "InvalidSignatureException"),
                (SigV4TestSigner.InvokeRequest(endpoint, sample.Name, body, "AKIAUNKNOWN", Secret, DateTimeOffset.UtcNow), "UnrecognizedClientException"),
                (SigV4TestSigner.InvokeRequest(endpoint, sample.Name, body, KeyId, Secret, DateTimeOffset.UtcNow, sentBody: tampered), "InvalidSignatureException"),
                (SigV4TestSigner.InvokeRequest(endpoint, sample.Name, body, KeyId, Secret, DateTimeOffset.UtcNow.AddHours(-1)), "InvalidSignatureException"),
                (UnsignedRequest(sample), "MissingAuthenticationTokenException"),
            })
            {
                using (request)
                using (var response = await fleet.Client.SendAsync(request))
                {
                    Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                    Assert.Equal(code, FleetFixture.Header(response, "x-amzn-ErrorType"));
                    Assert.Empty(FleetFixture.Header(response, FleetForwarder.InstanceHeader));
                    using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    Assert.NotEmpty(document.RootElement.GetProperty("message").GetString()!);
                }
            }
        }

        Assert.Equal(before, new[] { fleet.Counters(0), fleet.Counters(1) });
    }

    private static HttpRequestMessage UnsignedRequest(SampleModel sample)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/endpoints/local/invocations") { Content = new ByteArrayContent(SampleWriter.RequestJson(sample)) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Target-Model", sample.Name);
        return request;
    }
}
