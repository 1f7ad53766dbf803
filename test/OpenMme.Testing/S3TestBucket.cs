using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using OpenMme.Store;

namespace OpenMme.TestSupport;

/// <summary>
/// A fresh bucket on the suite's S3 server: the one test.sh started (<c>OPENMME_TEST_S3_ENDPOINT</c>),
/// or one started for this test process when the tests run on their own.
/// </summary>
public sealed class S3TestBucket : IDisposable
{
    private static readonly Lazy<string> SharedEndpoint = new(StartShared);
    private readonly AmazonS3Client _client;

    private S3TestBucket(string endpoint, string bucket)
    {
        Endpoint = endpoint;
        Bucket = bucket;
        AWSConfigs.InitializeCollections = true;
        _client = new AmazonS3Client(new BasicAWSCredentials(S3rverProcess.AccessKey, S3rverProcess.SecretKey), new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 1,
        });
    }

    public string Endpoint { get; }

    public string Bucket { get; }

    public string Source => $"s3://{Bucket}/models/";

    public S3StoreOptions StoreOptions => new()
    {
        EndpointUrl = Endpoint,
        AccessKeyId = S3rverProcess.AccessKey,
        SecretAccessKey = S3rverProcess.SecretKey,
        Region = "us-east-1",
        MaxAttempts = 2,
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    public static async Task<S3TestBucket> CreateAsync(string? endpoint = null)
    {
        var bucket = new S3TestBucket(endpoint ?? SharedEndpoint.Value, "openmme-" + Guid.NewGuid().ToString("N")[..16]);
        await bucket._client.PutBucketAsync(new PutBucketRequest { BucketName = bucket.Bucket });
        return bucket;
    }

    public async Task PutAsync(string key, byte[] bytes)
    {
        using var body = new MemoryStream(bytes);
        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = "models/" + key,
            InputStream = body,
            UseChunkEncoding = false,
        });
    }

    public Task DeleteAsync(string key) => _client.DeleteObjectAsync(Bucket, "models/" + key);

    public void Dispose() => _client.Dispose();

    private static string StartShared()
    {
        var configured = Environment.GetEnvironmentVariable("OPENMME_TEST_S3_ENDPOINT");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        var server = S3rverProcess.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server.Endpoint;
    }
}
