using OpenMme.Failures;
using OpenMme.TestSupport;

namespace OpenMme.Store;

public sealed class S3ModelStoreTests
{
    [Fact]
    public async Task Stats_lists_and_reads_objects_with_their_etag_as_version()
    {
        using var bucket = await S3TestBucket.CreateAsync();
        await bucket.PutAsync("team/a.onnx", [1, 2, 3]);
        await bucket.PutAsync("team/readme.txt", [9]);
        using var store = new S3ModelStore(bucket.Source, bucket.StoreOptions);

        var first = await store.StatAsync("team/a.onnx", CancellationToken.None);
        await bucket.PutAsync("team/a.onnx", [1, 2, 3, 4]);
        var second = await store.StatAsync("team/a.onnx", CancellationToken.None);
        var listed = new List<ArtifactInfo>();
        await foreach (var artifact in store.ListAsync(CancellationToken.None))
        {
            listed.Add(artifact);
        }

        Assert.Equal(3, first!.Size);
        Assert.NotEqual(first.Version, second!.Version);
        Assert.Equal("team/a.onnx", Assert.Single(listed).Key);
        await using var stream = await store.OpenReadAsync(second, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal([1, 2, 3, 4], copy.ToArray());
        Assert.Equal(1, store.Downloads);
    }

    [Fact]
    public async Task A_missing_object_stats_as_absent_and_is_described_by_bucket_and_key()
    {
        using var bucket = await S3TestBucket.CreateAsync();
        using var store = new S3ModelStore(bucket.Source, bucket.StoreOptions);

        Assert.Null(await store.StatAsync("absent.onnx", CancellationToken.None));
        Assert.Equal($"(bucket: {bucket.Bucket}, key: models/absent.onnx)", store.Describe("absent.onnx"));
    }

    [Fact]
    public async Task A_download_of_an_object_replaced_since_its_stat_is_refused()
    {
        using var bucket = await S3TestBucket.CreateAsync();
        await bucket.PutAsync("a.onnx", [1, 2, 3]);
        using var store = new S3ModelStore(bucket.Source, bucket.StoreOptions);
        var stat = await store.StatAsync("a.onnx", CancellationToken.None);
        await bucket.PutAsync("a.onnx", [4, 5, 6, 7]);

        var error = await Assert.ThrowsAsync<ModelHostException>(() => store.OpenReadAsync(stat!, CancellationToken.None).AsTask());

        Assert.Equal(FailureKind.StoreUnavailable, error.Kind);
        Assert.Contains("changed while it was being downloaded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_store_is_unavailable_after_the_configured_attempts()
    {
        using var s3 = S3rverProcess.Start();
        using var bucket = await S3TestBucket.CreateAsync(s3.Endpoint);
        using var store = new S3ModelStore(bucket.Source, bucket.StoreOptions with { MaxAttempts = 3 });
        s3.Stop();

        var error = await Assert.ThrowsAsync<ModelHostException>(() => store.StatAsync("a.onnx", CancellationToken.None).AsTask());

        Assert.Equal(FailureKind.StoreUnavailable, error.Kind);
        Assert.Contains("after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains(bucket.Source, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_whose_store_stops_sending_mid_body_fails_after_the_read_timeout()
    {
        using var bucket = await S3TestBucket.CreateAsync();
        var bytes = new byte[400_000];
        new Random(1).NextBytes(bytes);
        await bucket.PutAsync("a.onnx", bytes);
        using var proxy = new StallingProxy(bucket.Endpoint, getBytesBeforeStall: 100_000);
        using var store = new S3ModelStore(bucket.Source, bucket.StoreOptions with { EndpointUrl = proxy.Endpoint, RequestTimeout = TimeSpan.FromSeconds(1) });
        var stat = await store.StatAsync("a.onnx", CancellationToken.None);
        await using var stream = await store.OpenReadAsync(stat!, CancellationToken.None);

        var error = await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(Stream.Null));

        Assert.Contains("the store sent nothing for 1 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, proxy.Stalled);
    }

    [Theory]
    [InlineData("s3://bucket", "s3://bucket/")]
    [InlineData("s3://bucket/models", "s3://bucket/models/")]
    [InlineData("s3://bucket/a/b/", "s3://bucket/a/b/")]
    public void Sources_are_normalised_to_a_prefix(string source, string expected)
    {
        using var store = new S3ModelStore(source, new S3StoreOptions { EndpointUrl = "http://127.0.0.1:1", AccessKeyId = "k", SecretAccessKey = "s" });

        Assert.Equal(expected, store.Source);
    }
}
