using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using OpenMme.Failures;

namespace OpenMme.Store;

/// <summary>
/// An S3-compatible bucket prefix as the model store (<c>s3://bucket/prefix/</c>). Metadata and
/// listings go through AWSSDK.S3; bytes come from a presigned GET over a pooled HttpClient,
/// pinned to the stat's ETag with <c>If-Match</c>, which streams far faster than the SDK's
/// GetObject here. Transient failures are retried with backoff a bounded number of times,
/// then reported as the store being unavailable.
/// </summary>
public sealed class S3ModelStore : IModelStore, IDisposable
{
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly S3StoreOptions _options;
    private readonly AmazonS3Client _client;
    private readonly HttpClient _http;
    private readonly bool _plainHttp;
    private long _downloads;

    /// <summary>Opens <paramref name="source"/> (<c>s3://bucket/prefix/</c>).</summary>
    public S3ModelStore(string source, S3StoreOptions options, HttpMessageHandler? dataHandler = null)
    {
        var uri = new Uri(source);
        if (uri.Scheme != "s3" || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"'{source}' is not an s3://bucket/prefix/ URL.", nameof(source));
        }

        _bucket = uri.Host;
        _prefix = Uri.UnescapeDataString(uri.AbsolutePath).TrimStart('/');
        if (_prefix.Length > 0 && !_prefix.EndsWith('/'))
        {
            _prefix += "/";
        }

        Source = $"s3://{_bucket}/{_prefix}";
        _options = options;
        AWSConfigs.InitializeCollections = true;
        var endpoint = options.EndpointUrl
            ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3")
            ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        var region = options.Region
            ?? Environment.GetEnvironmentVariable("AWS_REGION")
            ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION")
            ?? ProfileRegion()
            ?? "us-east-1";
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region;
            _plainHttp = endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        _client = options.AccessKeyId is not null && options.SecretAccessKey is not null
            ? new AmazonS3Client(new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey), config)
            : new AmazonS3Client(config);
        _http = new HttpClient(dataHandler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.RequestTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <inheritdoc />
    public string Source { get; }

    /// <summary>Object downloads started since creation (each one a store GET).</summary>
    public long Downloads => Interlocked.Read(ref _downloads);

    /// <inheritdoc />
    public string Describe(string key) => $"(bucket: {_bucket}, key: {_prefix}{key})";

    /// <inheritdoc />
    public async ValueTask<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken)
    {
        ModelKey.Validate(key);
        try
        {
            var metadata = await WithRetriesAsync("read the metadata of " + Describe(key), ct => _client.GetObjectMetadataAsync(
                new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key, ChecksumMode = ChecksumMode.ENABLED }, ct), cancellationToken)
                .ConfigureAwait(false);
            return new ArtifactInfo(key, metadata.ContentLength, new ArtifactVersion(metadata.ETag), ChecksumOf(metadata));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new ModelHostException(FailureKind.ArtifactNotFound,
                $"Could not access model data {Describe(key)}: access denied. Check the credentials and the bucket policy.", e);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ArtifactInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await WithRetriesAsync("list " + Source, ct => _client.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix, ContinuationToken = token }, ct), cancellationToken)
                .ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                var key = item.Key[_prefix.Length..];
                if (ArtifactKinds.IsArtifact(key) && ModelKey.Check(key) is null)
                {
                    yield return new ArtifactInfo(key, item.Size ?? 0, new ArtifactVersion(item.ETag));
                }
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    /// <inheritdoc />
    public async ValueTask<Stream> OpenReadAsync(ArtifactInfo artifact, CancellationToken cancellationToken)
    {
        var response = await WithRetriesAsync("download " + Describe(artifact.Key), async ct =>
        {
            var url = await _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
            {
                BucketName = _bucket,
                Key = _prefix + artifact.Key,
                Verb = HttpVerb.GET,
                Expires = DateTime.UtcNow.AddHours(1),
                Protocol = _plainHttp ? Protocol.HTTP : Protocol.HTTPS,
            }).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(Quoted(artifact.Version.Tag)));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.RequestTimeout);
            var answer = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if ((int)answer.StatusCode >= 500)
            {
                answer.Dispose();
                throw new HttpRequestException($"the store answered {(int)answer.StatusCode}", null, answer.StatusCode);
            }

            return answer;
        }, cancellationToken).ConfigureAwait(false);

        Interlocked.Increment(ref _downloads);
        switch (response.StatusCode)
        {
            // Servers that ignore If-Match still name the version they send: never stage another one under this version.
            case HttpStatusCode.OK when response.Headers.ETag is { } etag && etag.Tag != Quoted(artifact.Version.Tag):
            case HttpStatusCode.PreconditionFailed:
                response.Dispose();
                throw new ModelHostException(FailureKind.StoreUnavailable, $"Model data {Describe(artifact.Key)} changed while it was being downloaded; try again.");
            case HttpStatusCode.OK:
                return new ReadTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _options.RequestTimeout);
            case HttpStatusCode.NotFound:
                response.Dispose();
                throw new ModelHostException(FailureKind.ArtifactNotFound, $"Failed to download model data {Describe(artifact.Key)}: the object does not exist.");
            default:
                var status = (int)response.StatusCode;
                response.Dispose();
                throw new ModelHostException(FailureKind.ArtifactNotFound, $"Failed to download model data {Describe(artifact.Key)}: the store answered {status}.");
        }
    }

    /// <summary>Uploads an artifact under the prefix, creating the bucket when it does not exist (samples, tooling).</summary>
    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ModelKey.Validate(key);
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // The bucket exists already.
        }

        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + key,
            InputStream = content,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
    }

    private async Task<T> WithRetriesAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                if (attempt >= _options.MaxAttempts)
                {
                    throw new ModelHostException(FailureKind.StoreUnavailable,
                        $"The model store {Source} is unreachable: could not {what} after {attempt} attempts ({Reason(e)}).", e);
                }

                await Task.Delay(_options.InitialBackoff * (1 << (attempt - 1)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AmazonS3Exception s3 => (int)s3.StatusCode >= 500 || s3.StatusCode == 0 || s3.InnerException is HttpRequestException or SocketException or IOException,
        AmazonServiceException service => service.InnerException is HttpRequestException or SocketException or IOException or OperationCanceledException,
        AmazonClientException client => client.InnerException is HttpRequestException or SocketException or IOException,
        HttpRequestException or SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    private static string Reason(Exception e)
    {
        while (e.InnerException is not null && e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            e = e.InnerException;
        }

        return e is OperationCanceledException ? "timed out" : e.Message;
    }

    private static ArtifactChecksum? ChecksumOf(GetObjectMetadataResponse metadata)
    {
        // Composite checksums of multipart uploads ("...-N") are digests of part digests: not verifiable on the whole stream.
        if (!string.IsNullOrEmpty(metadata.ChecksumCRC32) && !metadata.ChecksumCRC32.Contains('-', StringComparison.Ordinal))
        {
            return new ArtifactChecksum("CRC32", metadata.ChecksumCRC32);
        }

        if (!string.IsNullOrEmpty(metadata.ChecksumSHA256) && !metadata.ChecksumSHA256.Contains('-', StringComparison.Ordinal))
        {
            return new ArtifactChecksum("SHA256", metadata.ChecksumSHA256);
        }

        return null;
    }

    /// <summary>The region of the shared AWS profile (<c>AWS_PROFILE</c> or default), if one is configured.</summary>
    private static string? ProfileRegion()
    {
        try
        {
            return FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
        }
        catch (AmazonClientException)
        {
            return null;
        }
    }

    private static string Quoted(string etag) => etag.StartsWith('"') ? etag : "\"" + etag + "\"";
}
