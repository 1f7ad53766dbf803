using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenMme.DiskTier;
using OpenMme.Store;
using OpenMme.TestSupport;

namespace OpenMme.Benchmarks;

/// <summary>
/// A 100 MB artifact from a real S3 server (s3rver): the store's download path and the disk
/// tier's staging against a raw HttpClient GET of the same object, to memory and to a file.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class S3DownloadBenchmarks
{
    private const string Key = "big.onnx";
    private S3rverProcess _server = null!;
    private S3TestBucket _bucket = null!;
    private S3ModelStore _store = null!;
    private AmazonS3Client _client = null!;
    private HttpClient _http = null!;
    private string _folder = null!;
    private DiskTier.DiskTier _disk = null!;
    private ArtifactInfo _artifact = null!;
    private string _url = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = S3rverProcess.Start();
        _bucket = S3TestBucket.CreateAsync(_server.Endpoint).GetAwaiter().GetResult();
        var bytes = new byte[100_000_000];
        new Random(1).NextBytes(bytes);
        _bucket.PutAsync(Key, bytes).GetAwaiter().GetResult();
        _store = new S3ModelStore(_bucket.Source, _bucket.StoreOptions);
        _artifact = _store.StatAsync(Key, CancellationToken.None).AsTask().GetAwaiter().GetResult()!;
        _client = new AmazonS3Client(new BasicAWSCredentials(S3rverProcess.AccessKey, S3rverProcess.SecretKey),
            new AmazonS3Config { ServiceURL = _server.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        _url = _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = _bucket.Bucket,
            Key = "models/" + Key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow.AddHours(2),
            Protocol = Protocol.HTTP,
        }).GetAwaiter().GetResult();
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        _folder = Path.Combine(Path.GetTempPath(), "openmme-bench-s3-" + Guid.NewGuid().ToString("N")[..8]);
        _disk = new DiskTier.DiskTier(new DiskTierOptions(Path.Combine(_folder, "cache"), 0, ArchiveLimits.Default), TimeProvider.System, NullLogger<DiskTier.DiskTier>.Instance);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _client.Dispose();
        _store.Dispose();
        _bucket.Dispose();
        _server.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw HttpClient GET to memory")]
    public async Task<long> RawGet()
    {
        using var response = await _http.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        return await DrainAsync(stream);
    }

    [Benchmark(Description = "store: stat + open + read")]
    public async Task<long> StoreDownload()
    {
        var artifact = await _store.StatAsync(Key, CancellationToken.None);
        await using var stream = await _store.OpenReadAsync(artifact!, CancellationToken.None);
        return await DrainAsync(stream);
    }

    [Benchmark(Description = "raw HttpClient GET to a file")]
    public async Task<long> RawGetToFile()
    {
        var path = Path.Combine(_folder, "raw.bin");
        using var response = await _http.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead);
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0))
        {
            await response.Content.CopyToAsync(file);
        }

        var length = new FileInfo(path).Length;
        File.Delete(path);
        return length;
    }

    [Benchmark(Description = "disk tier: stage to the cache folder")]
    public async Task<long> Stage()
    {
        long bytes;
        using (var staged = await _disk.AcquireAsync(_store, _artifact, CancellationToken.None))
        {
            bytes = staged.Artifact.Bytes;
        }

        _disk.Remove(Key);
        return bytes;
    }

    private static async Task<long> DrainAsync(Stream stream)
    {
        var buffer = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }
}
