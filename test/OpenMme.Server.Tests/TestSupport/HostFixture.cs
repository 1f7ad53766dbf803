using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenMme.DiskTier;
using OpenMme.Host;
using OpenMme.MemoryTier;
using OpenMme.Samples;
using OpenMme.Store;
using OpenMme.Wire;

namespace OpenMme.TestSupport;

/// <summary>
/// A real instance on a loopback port over a temporary model folder or a fresh bucket of the
/// suite's S3 server; stopped on dispose.
/// </summary>
public sealed class HostFixture : IAsyncDisposable
{
    private readonly S3TestBucket? _bucket;
    private WebApplication _app;
    private Action<IServiceCollection>? _services;

    private HostFixture(string root, WebApplication app, S3TestBucket? bucket, ModelHostSettings settings)
    {
        Root = root;
        _app = app;
        _bucket = bucket;
        Settings = settings;
        Client = new HttpClient { BaseAddress = app.ListeningAddress() };
    }

    /// <summary>Both stores, for <c>[MemberData]</c>.</summary>
    public static TheoryData<StoreKind> Stores => new() { StoreKind.LocalFolder, StoreKind.S3 };

    public ModelHostSettings Settings { get; }

    public StoreKind Store => _bucket is null ? StoreKind.LocalFolder : StoreKind.S3;

    public S3TestBucket? Bucket => _bucket;

    public string Root { get; }

    public string ModelFolder => Path.Combine(Root, "models");

    public string CacheFolder => Path.Combine(Root, "cache");

    public HttpClient Client { get; private set; }

    public ModelCache Cache => _app.Services.GetRequiredService<ModelCache>();

    public DiskTier.DiskTier Disk => _app.Services.GetRequiredService<DiskTier.DiskTier>();

    public static Task<HostFixture> StartAsync(Func<ModelHostSettings, ModelHostSettings>? configure = null) =>
        StartAsync(StoreKind.LocalFolder, configure);

    public static async Task<HostFixture> StartAsync(StoreKind store, Func<ModelHostSettings, ModelHostSettings>? configure = null, string? s3Endpoint = null,
        TrackingRuntime? runtime = null, CollectingLoggerProvider? logs = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "openmme-host-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(root, "models"));
        var bucket = store == StoreKind.S3 ? await S3TestBucket.CreateAsync(s3Endpoint) : null;
        var settings = new ModelHostSettings
        {
            ModelSource = bucket?.Source ?? Path.Combine(root, "models"),
            S3 = bucket?.StoreOptions ?? new(),
            CacheDirectory = Path.Combine(root, "cache"),
            Port = 0,
            MemoryBudgetBytes = 256L << 20,
            Archive = new ArchiveLimits(10L << 20, 100),
            DrainDelay = TimeSpan.Zero,
        };
        settings = configure?.Invoke(settings) ?? settings;
        var services = RuntimeOverride(runtime);
        var app = ModelHostApplication.Create(settings, logging =>
        {
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        }, services);
        await app.StartAsync();
        return new HostFixture(root, app, bucket, settings) { _services = services };
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>Stops the instance as a shutdown would (draining first).</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <summary>Object downloads the S3 store made since this instance started.</summary>
    public long Downloads => ((S3ModelStore)_app.Services.GetRequiredService<IModelStore>()).Downloads;

    /// <summary>Stops the instance and starts a new one on the same store and cache folder (a host restart).</summary>
    public async Task RestartAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = ModelHostApplication.Create(Settings, logging => { }, _services);
        await _app.StartAsync();
        Client = new HttpClient { BaseAddress = _app.ListeningAddress() };
    }

    /// <summary>Waits (bounded) until models loaded straight from the model folder have their copies in the disk tier.</summary>
    public async Task SettledAsync()
    {
        for (var i = 0; i < 500 && Cache.PendingBackgroundWork > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, Cache.PendingBackgroundWork);
    }

    /// <summary>Bytes of every file under the cache folder, as the disk has them.</summary>
    public long CacheBytesOnDisk() =>
        Directory.Exists(CacheFolder) ? new DirectoryInfo(CacheFolder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    /// <summary>Puts an artifact into the store (file or object).</summary>
    public async Task PutAsync(string key, byte[] bytes)
    {
        if (_bucket is not null)
        {
            await _bucket.PutAsync(key, bytes);
            return;
        }

        var path = Path.Combine(ModelFolder, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        await File.WriteAllBytesAsync(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    public async Task<SampleModel> AddSampleAsync(int index, long bytes = 20_000, string? name = null, bool archive = false, int seed = 1)
    {
        var sample = SampleModelFactory.Create(index, bytes, seed);
        var file = name ?? (archive ? Path.GetFileNameWithoutExtension(sample.Name) + ".tar.gz" : sample.Name);
        await PutAsync(file, archive ? SampleWriter.Archive(sample.Onnx) : sample.Onnx);
        return sample with { Name = file };
    }

    public Task<HttpResponseMessage> InvokeAsync(string? target, string body, string contentType = "application/json", string endpoint = "local") =>
        InvokeAsync(target, Encoding.UTF8.GetBytes(body), contentType, endpoint);

    public Task<HttpResponseMessage> InvokeAsync(string? target, byte[] body, string contentType = "application/json", string endpoint = "local")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{endpoint}/invocations") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Target-Model", target);
        }

        return Client.SendAsync(request);
    }

    public async Task<HttpResponseMessage> InvokeSampleAsync(SampleModel sample) =>
        await InvokeAsync(sample.Name, SampleWriter.RequestJson(sample));

    /// <summary>Puts an observed real ONNX runtime in place of the plain one.</summary>
    private static Action<IServiceCollection>? RuntimeOverride(TrackingRuntime? runtime) =>
        runtime is null ? null : services => services.AddSingleton<Runtime.IModelRuntime>(runtime);

    /// <summary>Invokes a sample and checks its answer: the instance still serves it correctly.</summary>
    public async Task AssertServesAsync(SampleModel sample)
    {
        using var response = await InvokeSampleAsync(sample);
        await AssertExpectedAsync(sample, response);
    }

    /// <summary>Checks a KServe response against the sample's reference outputs.</summary>
    public static async Task AssertExpectedAsync(SampleModel sample, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        Assert.Equal(sample.Name, document.RootElement.GetProperty("model_name").GetString());
        var outputs = document.RootElement.GetProperty("outputs");
        Assert.Equal(sample.ExpectedOutputs.Count, outputs.GetArrayLength());
        foreach (var expected in sample.ExpectedOutputs)
        {
            var output = outputs.EnumerateArray().Single(o => o.GetProperty("name").GetString() == expected.Name);
            Assert.Equal(Runtime.TensorDataTypes.KServeName(expected.Type), output.GetProperty("datatype").GetString());
            Assert.Equal(expected.Shape, output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
            var actual = output.GetProperty("data").EnumerateArray()
                .Select(v => v.ValueKind switch { JsonValueKind.True => 1.0, JsonValueKind.False => 0.0, _ => v.GetDouble() })
                .ToArray();
            SampleAssert.Matches(expected.Name, expected.Values, actual);
        }
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _bucket?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
