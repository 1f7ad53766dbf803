using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OpenMme.Wire.Auth;

/// <summary>
/// Signs an outgoing request with AWS Signature Version 4 as the AWS SDKs do for SageMaker, so
/// that <c>openmme invoke</c> and <c>openmme bench</c> can talk to an endpoint that verifies
/// signatures: <c>host</c>, <c>x-amz-date</c> and every header the request carries are signed
/// except those a proxy may change (<c>user-agent</c>, <c>expect</c>, <c>transfer-encoding</c>,
/// <c>x-amzn-trace-id</c>) and <c>content-length</c>, which the client computes while sending;
/// the path is encoded once more, as for every service but S3.
/// </summary>
/// <param name="accessKeyId">The access key id named in the credential.</param>
/// <param name="secret">Its secret access key.</param>
/// <param name="region">The region of the credential scope.</param>
/// <param name="service">The service of the credential scope (<c>sagemaker</c>).</param>
public sealed class SigV4Signer(string accessKeyId, string secret, string region, string service = RequestSigningSettings.SageMakerService)
{
    private static readonly HashSet<string> Unsigned = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "user-agent", "expect", "transfer-encoding", "x-amzn-trace-id", "content-length",
    };

    /// <summary>Adds <c>X-Amz-Date</c> and <c>Authorization</c> to <paramref name="request"/>, whose body is <paramref name="body"/>.</summary>
    public void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, DateTimeOffset time)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var amzDate = time.UtcDateTime.ToString(SigV4Verifier.IsoBasicFormat, CultureInfo.InvariantCulture);
        request.Headers.Remove("Authorization");
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = request.Headers.Host ?? uri.Authority };
        Add(headers, request.Headers.NonValidated);
        if (request.Content is { } content)
        {
            Add(headers, content.Headers.NonValidated);
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(string.Join('/', uri.AbsolutePath.Split('/').Select(Uri.EscapeDataString))).Append('\n')
            .Append(CanonicalQuery(uri.Query)).Append('\n');
        foreach (var (name, value) in headers)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Hex(SHA256.HashData(body)));
        var scope = $"{amzDate[..8]}/{region}/{service}/{SigV4Verifier.Terminator}";
        var stringToSign = $"{SigV4Authorization.Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        Span<byte> key = stackalloc byte[SigningKeyCache.KeyBytes];
        SigningKeyCache.Derive(secret, amzDate.AsSpan(0, 8), region, service, SigV4Verifier.Terminator, key);
        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.TryAddWithoutValidation("Authorization", $"{SigV4Authorization.Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary>A handler that signs every request it sends with <paramref name="signer"/> at <paramref name="time"/>'s clock.</summary>
    public static DelegatingHandler Handler(SigV4Signer signer, TimeProvider time, HttpMessageHandler inner) => new SigningHandler(signer, time, inner);

    private static void Add(SortedDictionary<string, string> signed, HttpHeadersNonValidated headers)
    {
        foreach (var (name, values) in headers)
        {
            if (!Unsigned.Contains(name) && !name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                signed[name.ToLowerInvariant()] = string.Join(',', values.Select(Trim));
            }
        }
    }

    private static string CanonicalQuery(string query)
    {
        if (query.Length <= 1)
        {
            return string.Empty;
        }

        var pairs = query[1..].Split('&').Select(pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            return (Name: Uri.EscapeDataString(Uri.UnescapeDataString(name)), Value: Uri.EscapeDataString(Uri.UnescapeDataString(value)));
        });
        return string.Join('&', pairs.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).Select(p => p.Name + "=" + p.Value));
    }

    private static string Trim(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private sealed class SigningHandler(SigV4Signer signer, TimeProvider time, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            signer.Sign(request, body, time.GetUtcNow());
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
