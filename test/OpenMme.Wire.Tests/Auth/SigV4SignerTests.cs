using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace OpenMme.Wire.Auth;

/// <summary>The client-side signer of <c>openmme invoke</c> and <c>bench</c>, against the public suite and the product's verifier.</summary>
public sealed class SigV4SignerTests
{
    private const string Secret = SigV4TestSuiteTests.Secret;
    private static readonly DateTimeOffset SigningTime = SigV4TestSuiteTests.SigningTime;
    private static readonly string Suite = SigV4TestSuiteTests.Suite;

    /// <summary>The suite's cases an <see cref="HttpRequestMessage"/> can carry as written (no raw UTF-8 or dot segments in the path, no folded or repeated headers).</summary>
    [Theory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-query")]
    [InlineData("get-vanilla-query-order-key-case")]
    [InlineData("get-vanilla-query-order-value")]
    [InlineData("get-vanilla-query-unreserved")]
    [InlineData("get-header-value-trim")]
    [InlineData("post-vanilla")]
    [InlineData("post-vanilla-query")]
    [InlineData("post-header-key-sort")]
    [InlineData("post-header-value-case")]
    [InlineData("post-x-www-form-urlencoded")]
    public void The_authorization_is_the_suites(string name)
    {
        var raw = RawRequest.Parse(File.ReadAllText(Path.Combine(Suite, name, name + ".req"), Encoding.UTF8));
        using var request = new HttpRequestMessage(new HttpMethod(raw.Method), "http://example.amazonaws.com" + raw.Target);
        if (raw.Body.Length > 0)
        {
            request.Content = new ByteArrayContent(raw.Body);
        }

        foreach (var (header, value) in raw.Headers.Where(h => h.Key is not ("Host" or "X-Amz-Date")))
        {
            if (!request.Headers.TryAddWithoutValidation(header, value))
            {
                request.Content!.Headers.TryAddWithoutValidation(header, value);
            }
        }

        new SigV4Signer("AKIDEXAMPLE", Secret, "us-east-1", "service").Sign(request, raw.Body, SigningTime);

        Assert.Equal(File.ReadAllText(Path.Combine(Suite, name, name + ".authz"), Encoding.UTF8).Trim(), request.Headers.GetValues("Authorization").Single());
        Assert.Equal("20150830T123600Z", request.Headers.GetValues("X-Amz-Date").Single());
    }

    [Fact]
    public void An_invocation_signed_by_it_is_accepted_by_the_verifier_and_refused_once_its_body_changes()
    {
        var body = "{\"inputs\":[[1,2,3]]}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:8080/endpoints/local/invocations") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Target-Model", "models/fraud v2.onnx");
        request.Headers.TryAddWithoutValidation("User-Agent", "openmme");
        new SigV4Signer("AKIDEXAMPLE", Secret, "eu-west-1").Sign(request, body, SigningTime);
        var verifier = new SigV4Verifier(
            new RequestSigningSettings { Mode = AuthMode.SigV4, AccessKeys = new Dictionary<string, string> { ["AKIDEXAMPLE"] = Secret } },
            new FakeTimeProvider(SigningTime.AddMinutes(3)));

        var text = Render(request, body);
        Assert.True(verifier.Verify(RawRequest.Parse(text).ToHttpRequest(), body).IsAccepted, text);
        var tampered = "{\"inputs\":[[1,2,4]]}"u8.ToArray();
        Assert.Equal(SignatureFailure.Invalid, verifier.Verify(RawRequest.Parse(Render(request, tampered)).ToHttpRequest(), tampered).Failure);
    }

    [Fact]
    public async Task Its_handler_signs_each_request_at_the_clocks_time()
    {
        var seen = new List<HttpRequestMessage>();
        var time = new FakeTimeProvider(SigningTime);
        using var invoker = new HttpMessageInvoker(SigV4Signer.Handler(new SigV4Signer("AKIDEXAMPLE", Secret, "us-east-1"), time, new Recording(seen)));

        using var first = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/endpoints/local/invocations") { Content = new ByteArrayContent([1, 2]) };
        (await invoker.SendAsync(first, CancellationToken.None)).Dispose();
        time.Advance(TimeSpan.FromHours(25));
        using var second = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/endpoints/local/invocations") { Content = new ByteArrayContent([1, 2]) };
        (await invoker.SendAsync(second, CancellationToken.None)).Dispose();

        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sagemaker/aws4_request, SignedHeaders=host;x-amz-date, Signature=", seen[0].Headers.GetValues("Authorization").Single());
        Assert.Contains("Credential=AKIDEXAMPLE/20150831/", seen[1].Headers.GetValues("Authorization").Single());
        Assert.NotEqual(seen[0].Headers.GetValues("Authorization").Single()[^64..], seen[1].Headers.GetValues("Authorization").Single()[^64..]);
    }

    /// <summary>The request as HTTP/1.1 text, the way HttpClient puts it on the wire.</summary>
    private static string Render(HttpRequestMessage request, byte[] body)
    {
        var text = new StringBuilder($"{request.Method} {request.RequestUri!.PathAndQuery} HTTP/1.1\nHost:{request.RequestUri.Authority}\n");
        foreach (var (name, values) in request.Headers.NonValidated.Concat(request.Content!.Headers.NonValidated))
        {
            text.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        return text.Append('\n').Append(Encoding.UTF8.GetString(body)).ToString();
    }

    private sealed class Recording(List<HttpRequestMessage> seen) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
