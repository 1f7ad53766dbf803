using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OpenMme.TestSupport;
using OpenMme.Wire.Auth;

namespace OpenMme.Benchmarks;

/// <summary>
/// SigV4 verification of a signed InvokeEndpoint request (the signing key cached, as after the first
/// request of a day), against its floor in the same run: hashing the body, which any verification must do.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SigV4VerifierBenchmarks
{
    private const string KeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private SigV4Verifier _verifier = null!;
    private HttpRequest _request = null!;
    private byte[] _body = [];

    [Params(1_024, 102_400)]
    public int BodyBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = new byte[BodyBytes];
        Random.Shared.NextBytes(_body);
        var endpoint = new Uri("http://127.0.0.1:8080/");
        using var signed = SigV4TestSigner.InvokeRequest(endpoint, "fp32-000.onnx", _body, KeyId, Secret, DateTimeOffset.UtcNow);
        var context = new DefaultHttpContext();
        _request = context.Request;
        _request.Method = "POST";
        _request.Path = signed.RequestUri!.AbsolutePath;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = signed.RequestUri.AbsolutePath;
        _request.Headers.Host = endpoint.Authority;
        _request.ContentType = "application/json";
        foreach (var (name, values) in signed.Headers)
        {
            _request.Headers[name] = values.ToArray();
        }

        _verifier = new SigV4Verifier(new RequestSigningSettings { AccessKeys = new Dictionary<string, string> { [KeyId] = Secret } }, TimeProvider.System);
        if (!_verifier.Verify(_request, _body).IsAccepted)
        {
            throw new InvalidOperationException("The benchmark's request does not verify.");
        }
    }

    [Benchmark(Baseline = true, Description = "floor: SHA-256 of the body")]
    public byte HashBody()
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(_body, hash);
        return hash[0];
    }

    [Benchmark(Description = "verify a signed request")]
    public bool Verify() => _verifier.Verify(_request, _body).IsAccepted;
}
