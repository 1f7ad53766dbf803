using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;

namespace OpenMme.Wire.Auth;

/// <summary>
/// The verifier's refusals, each with the code and AWS's message, on requests of the SigV4 test suite
/// (signed at 2015-08-30T12:36:00Z for service <c>service</c>), and its signing-key cache.
/// </summary>
public sealed class SigV4VerifierTests
{
    private const string KeyId = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset SigningTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Fact]
    public void A_date_up_to_15_minutes_either_side_of_the_clock_is_accepted()
    {
        Assert.True(Verify(Vector("post-vanilla"), clock: SigningTime.AddMinutes(15)).IsAccepted);
        Assert.True(Verify(Vector("post-vanilla"), clock: SigningTime.AddMinutes(-15)).IsAccepted);
    }

    [Fact]
    public void A_date_more_than_15_minutes_old_has_expired()
    {
        var check = Verify(Vector("post-vanilla"), clock: SigningTime.AddMinutes(15).AddSeconds(1));

        Assert.Equal(new SignatureCheck(SignatureFailure.Invalid,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"), check);
    }

    [Fact]
    public void A_date_more_than_15_minutes_ahead_is_not_yet_current()
    {
        var check = Verify(Vector("post-vanilla"), clock: SigningTime.AddMinutes(-15).AddSeconds(-1));

        Assert.Equal(new SignatureCheck(SignatureFailure.Invalid,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)"), check);
    }

    [Fact]
    public void No_authorization_header_is_a_missing_token()
    {
        var request = Vector("post-vanilla");
        request.Headers.RemoveAll(h => h.Key == "Authorization");

        Assert.Equal(new SignatureCheck(SignatureFailure.Missing, "Missing Authentication Token"), Verify(request));
    }

    [Fact]
    public void An_authorization_header_without_its_parts_is_incomplete()
    {
        var request = Vector("post-vanilla");
        SetAuthorization(request, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, Signature=00");

        Assert.Equal(new SignatureCheck(SignatureFailure.Incomplete,
            "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, Signature=00"),
            Verify(request));
    }

    [Fact]
    public void Another_algorithm_is_incomplete()
    {
        var request = Vector("post-vanilla");
        SetAuthorization(request, "Basic dXNlcjpwYXNz");

        var check = Verify(request);

        Assert.Equal(SignatureFailure.Incomplete, check.Failure);
        Assert.StartsWith("Unsupported AWS 'algorithm': 'Basic'.", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_access_key_is_an_unrecognized_client()
    {
        var check = Verifier(keyId: "AKIDOTHER").Verify(Vector("post-vanilla").ToHttpRequest(), [], null);

        Assert.Equal(new SignatureCheck(SignatureFailure.UnknownAccessKey, "The security token included in the request is invalid."), check);
    }

    [Fact]
    public void A_credential_for_another_service_is_invalid()
    {
        var check = Verifier(service: "sagemaker").Verify(Vector("post-vanilla").ToHttpRequest(), [], null);

        Assert.Equal(new SignatureCheck(SignatureFailure.Invalid, "Credential should be scoped to correct service: 'sagemaker'."), check);
    }

    [Fact]
    public void A_credential_dated_another_day_than_the_request_is_invalid()
    {
        var request = Vector("post-vanilla");
        SetAuthorization(request, request.Headers.Single(h => h.Key == "Authorization").Value.Replace("/20150830/", "/20150829/", StringComparison.Ordinal));

        Assert.Equal(new SignatureCheck(SignatureFailure.Invalid,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'."),
            Verify(request));
    }

    [Fact]
    public void The_host_header_must_be_signed()
    {
        var request = Vector("post-vanilla");
        SetAuthorization(request, request.Headers.Single(h => h.Key == "Authorization").Value.Replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date", StringComparison.Ordinal));

        var check = Verify(request);

        Assert.Equal(SignatureFailure.Incomplete, check.Failure);
        Assert.StartsWith("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_without_a_date_is_incomplete()
    {
        var request = Vector("post-vanilla");
        request.Headers.RemoveAll(h => h.Key == "X-Amz-Date");

        var check = Verify(request);

        Assert.Equal(SignatureFailure.Incomplete, check.Failure);
        Assert.StartsWith("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_hash_header_that_does_not_match_the_body_is_refused_and_one_that_does_is_accepted()
    {
        var request = Vector("post-x-www-form-urlencoded");
        request.Headers.Add(new("x-amz-content-sha256", Convert.ToHexStringLower(SHA256.HashData("Param1=value2"u8))));
        Assert.Equal(new SignatureCheck(SignatureFailure.Invalid, "The provided 'x-amz-content-sha256' header does not match what was computed."), Verify(request));

        request.Headers[^1] = new("x-amz-content-sha256", Convert.ToHexStringLower(SHA256.HashData(request.Body)));
        Assert.True(Verify(request).IsAccepted);
    }

    [Fact]
    public void A_tampered_body_is_refused()
    {
        var request = Vector("post-x-www-form-urlencoded");
        request.Body[^1] ^= 1;

        var check = Verify(request);

        Assert.Equal(SignatureFailure.Invalid, check.Failure);
        Assert.Contains("The Canonical String for this request should have been\n'POST\n/\n", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_signing_keys_that_verified_a_request_are_kept()
    {
        var wrong = Verifier(secret: "not-the-secret");
        Assert.False(wrong.Verify(Vector("post-vanilla").ToHttpRequest(), [], null).IsAccepted);
        Assert.Equal(0, wrong.SigningKeys.Count);

        var right = Verifier();
        Assert.True(right.Verify(Vector("post-vanilla").ToHttpRequest(), [], null).IsAccepted);
        Assert.True(right.Verify(Vector("get-vanilla").ToHttpRequest(), [], null).IsAccepted);
        Assert.Equal(1, right.SigningKeys.Count);
    }

    [Fact]
    public void A_warm_verification_allocates_nothing()
    {
        var verifier = Verifier();
        var vector = Vector("post-x-www-form-urlencoded-parameters");
        var request = vector.ToHttpRequest();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(verifier.Verify(request, vector.Body).IsAccepted);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var check = verifier.Verify(request, vector.Body);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(check.IsAccepted);
        Assert.True(allocated == 0, $"{allocated} bytes");
    }

    [Fact]
    public void With_signing_off_every_request_is_accepted()
    {
        var verifier = new SigV4Verifier(new RequestSigningSettings(), TimeProvider.System);
        var request = Vector("post-vanilla");
        request.Headers.RemoveAll(h => h.Key == "Authorization");

        Assert.False(verifier.IsEnabled);
        Assert.True(verifier.Verify(request.ToHttpRequest(), []).IsAccepted);
    }

    private static SignatureCheck Verify(RawRequest request, DateTimeOffset? clock = null) =>
        Verifier(clock: clock).Verify(request.ToHttpRequest(), request.Body, null);

    private static SigV4Verifier Verifier(string keyId = KeyId, string secret = Secret, string service = "service", DateTimeOffset? clock = null) => new(
        new RequestSigningSettings { AccessKeys = new Dictionary<string, string> { [keyId] = secret }, Service = service },
        new FakeTimeProvider(clock ?? SigningTime));

    private static RawRequest Vector(string name) =>
        RawRequest.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Auth", "TestData", "aws4_testsuite", name, name + ".sreq")));

    private static void SetAuthorization(RawRequest request, string value)
    {
        var index = request.Headers.FindIndex(h => h.Key == "Authorization");
        request.Headers[index] = new("Authorization", value);
    }
}
