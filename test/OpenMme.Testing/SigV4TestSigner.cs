using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OpenMme.TestSupport;

/// <summary>
/// A minimal AWS Signature Version 4 signer written from the specification, independent of the
/// server's verifier, for runtime API requests (<c>POST /endpoints/NAME/invocations</c>, no query):
/// it signs host, x-amz-date, content-type and the target-model header over the exact body.
/// </summary>
public static class SigV4TestSigner
{
    /// <summary>An InvokeEndpoint request to <paramref name="endpoint"/> signed with the given key at <paramref name="time"/>.</summary>
    /// <param name="endpoint">The server's base address.</param>
    /// <param name="targetModel">X-Amzn-SageMaker-Target-Model.</param>
    /// <param name="signedBody">The body the signature covers.</param>
    /// <param name="accessKeyId">The access key id named in the credential.</param>
    /// <param name="secret">The secret the signature is made with.</param>
    /// <param name="time">X-Amz-Date.</param>
    /// <param name="sentBody">The body sent (a different one to tamper); null: the signed one.</param>
    /// <param name="endpointName">The endpoint in the path.</param>
    /// <param name="region">The region of the credential scope.</param>
    public static HttpRequestMessage InvokeRequest(Uri endpoint, string targetModel, byte[] signedBody, string accessKeyId, string secret, DateTimeOffset time,
        byte[]? sentBody = null, string endpointName = "local", string region = "us-east-1")
    {
        var uri = new Uri(endpoint, $"/endpoints/{endpointName}/invocations");
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(sentBody ?? signedBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Target-Model", targetModel);
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = "application/json",
            ["host"] = uri.Authority,
            ["x-amz-date"] = amzDate,
            ["x-amzn-sagemaker-target-model"] = targetModel,
        };
        var signedHeaders = string.Join(';', headers.Keys);
        // Services other than S3 sign the path as sent, encoded once more.
        var path = string.Join('/', uri.AbsolutePath.Split('/').Select(Uri.EscapeDataString));
        var canonical = $"POST\n{path}\n\n{string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))}\n{signedHeaders}\n{Hex(SHA256.HashData(signedBody))}";
        var scope = $"{amzDate[..8]}/{region}/sagemaker/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in new[] { amzDate[..8], region, "sagemaker", "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
        return request;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
