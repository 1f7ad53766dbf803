using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenMme.DiskTier;
using OpenMme.Host;
using OpenMme.MemoryTier;
using OpenMme.Router;
using OpenMme.Samples;
using OpenMme.Store;
using OpenMme.Wire;
using OpenMme.Wire.Auth;

namespace OpenMme.TestSupport;

/// <summary>
/// A real instance on a loopback port over a temporary model folder or a fresh bucket of the
/// suite's S3 server; stopped on dispose. With <c>OPENMME_TEST_FLEET=N</c> (N ≥ 2) the same tests
/// run against a fleet instead: N instances composed as <c>serve --instances N</c> composes its
/// children (each with the settings a test gives one instance, a cache folder of its own under
/// <see cref="CacheFolder"/>) and the router in front, in this process; <see cref="Client"/> then
/// talks to the router.
/// </summary>
public sealed class HostFixture : IAsyncDisposable
{
    /// <summary>The environment variable that chooses fleet mode and its size.</summary>
    public const string FleetVariable = "OPENMME_TEST_FLEET";

    private readonly S3TestBucket? _bucket;
    private readonly Action<IServiceCollection>? _services;
    private readonly Action<ILoggingBuilder> _logging;
    private readonly List<WebApplication> _instances;
    private WebApplication? _router;

    private HostFixture(string root, List<WebApplication> instances, WebApplication? router, S3TestBucket? bucket, ModelHostSettings settings,
        Action<IServiceCollection>? services, Action<ILoggingBuilder> logging)
    {
        Root = root;
        _instances = instances;
        _router = router;
        _bucket = bucket;
        _services = services;
        _logging = logging;
        Settings = settings;
        Client = new HttpClient { BaseAddress = (router ?? instances[0]).ListeningAddress() };
    }

    /// <summary>Both stores, for <c>[MemberData]</c>.</summary>
    public static TheoryData<StoreKind> Stores => new() { StoreKind.LocalFolder, StoreKind.S3 };

    /// <summary>Instances each fixture starts: 1, or N behind a router when <c>OPENMME_TEST_FLEET=N</c>.</summary>
    public static int FleetSize { get; } = int.TryParse(Environment.GetEnvironmentVariable(FleetVariable), out var size) && size > 1 ? size : 1;

    /// <summary>Whether the client talks to a router in front of several instances.</summary>
    public static bool IsFleet => FleetSize > 1;

    /// <summary>The settings of each instance.</summary>
    public ModelHostSettings Settings { get; }

    public StoreKind Store => _bucket is null ? StoreKind.LocalFolder : StoreKind.S3;

    public S3TestBucket? Bucket => _bucket;

    public string Root { get; }

    public string ModelFolder => Path.Combine(Root, "models");

    /// <summary>The cache folder: the instance's, or the one that holds each instance's in fleet mode.</summary>
    public string CacheFolder => Path.Combine(Root, "cache");

    /// <summary>Each instance's cache folder.</summary>
    public IReadOnlyList<string> CacheFolders => _instances.Select((_, i) => InstanceCacheFolder(i)).ToArray();

    public HttpClient Client { get; private set; }

    /// <summary>Each instance's memory tier.</summary>
    public IReadOnlyList<ModelCache> Caches => _instances.Select(a => a.Services.GetRequiredService<ModelCache>()).ToArray();

    /// <summary>Each instance's disk tier.</summary>
    public IReadOnlyList<DiskTier.DiskTier> Disks => _instances.Select(a => a.Services.GetRequiredService<DiskTier.DiskTier>()).ToArray();

    /// <summary>The memory tier of the one instance; tests that read it are <c>[Trait("Scope", "Instance")]</c> or read <see cref="Caches"/>.</summary>
    public ModelCache Cache => OneInstance().Services.GetRequiredService<ModelCache>();

    /// <summary>The services of the one instance (see <see cref="Cache"/>).</summary>
    public IServiceProvider Services => OneInstance().Services;

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
        Action<ILoggingBuilder> logging = builder =>
        {
            if (logs is not null)
            {
                builder.AddProvider(logs);
            }
        };
        var instances = new List<WebApplication>();
        WebApplication? router = null;
        try
        {
            for (var i = 0; i < FleetSize; i++)
            {
                var app = ModelHostApplication.Create(InstanceSettings(settings, i, port: 0), logging, services);
                instances.Add(app);
                await app.StartAsync();
            }

            if (IsFleet)
            {
                // As serve --instances composes its router: the command's defaults, the instances' endpoint name, and the signing.
                router = RouterApplication.Create(
                    new RouterSettings
                    {
                        Port = 0,
                        EndpointName = settings.Http.EndpointName,
                        Instances = instances.Select(a => a.ListeningAddress()).ToArray(),
                        Signing = settings.Signing,
                    }, _ => { });
                await RouterApplication.StartAsync(router);
                Assert.Equal(FleetSize, router.Services.GetRequiredService<Fleet>().Healthy.Count);
            }
        }
        catch
        {
            if (router is not null)
            {
                await router.DisposeAsync();
            }

            foreach (var app in instances)
            {
                await app.DisposeAsync();
            }

            bucket?.Dispose();
            throw;
        }

        return new HostFixture(root, instances, router, bucket, settings, services, logging);
    }

    /// <summary>
    /// One instance's settings. Alone, the test's settings; in a fleet, a cache folder and access
    /// log of its own and no signature checks (the router verifies), as <c>serve --instances</c> gives
    /// each child (but the whole budgets, not a share, so each instance behaves as the test configured one).
    /// </summary>
    private static ModelHostSettings InstanceSettings(ModelHostSettings settings, int index, int port) => !IsFleet
        ? settings with { Port = port }
        : settings with
        {
            Port = port,
            CacheDirectory = Path.Combine(settings.CacheDirectory, $"instance-{index}"),
            AccessLogPath = settings.AccessLogPath is null ? null : $"{settings.AccessLogPath}.instance-{index}",
            Signing = new RequestSigningSettings { Mode = AuthMode.None },
        };

    private string InstanceCacheFolder(int index) => IsFleet ? Path.Combine(Settings.CacheDirectory, $"instance-{index}") : Settings.CacheDirectory;

    private WebApplication OneInstance() => IsFleet
        ? throw new InvalidOperationException("This test reads one instance's internals, which a fleet does not have: mark it [Trait(\"Scope\", \"Instance\")] or read every instance's.")
        : _instances[0];

    /// <summary>Stops the instance as a shutdown would (draining first).</summary>
    public Task StopAsync() => OneInstance().StopAsync();

    /// <summary>Object downloads the S3 store made since the instances started, summed over them.</summary>
    public long Downloads => _instances.Sum(a => ((S3ModelStore)a.Services.GetRequiredService<IModelStore>()).Downloads);

    /// <summary>
    /// Stops the instances and starts them again on the same store and cache folders (a host
    /// restart). A fleet's instances come back on their ports, as <c>serve</c> restarts a child,
    /// and this waits until the router takes them again.
    /// </summary>
    public async Task RestartAsync()
    {
        for (var i = 0; i < _instances.Count; i++)
        {
            var port = IsFleet ? _instances[i].ListeningAddress().Port : 0;
            await _instances[i].StopAsync();
            await _instances[i].DisposeAsync();
            _instances[i] = ModelHostApplication.Create(InstanceSettings(Settings, i, port), _logging, _services);
            await _instances[i].StartAsync();
        }

        if (_router is null)
        {
            Client.Dispose();
            Client = new HttpClient { BaseAddress = _instances[0].ListeningAddress() };
            return;
        }

        var fleet = _router.Services.GetRequiredService<Fleet>();
        for (var i = 0; i < 300 && fleet.Healthy.Count < _instances.Count; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(_instances.Count, fleet.Healthy.Count);
    }

    /// <summary>
    /// Names of <paramref name="count"/> models that one instance serves: any names alone, names
    /// with one home in a fleet. For tests of one instance's tiers under a sequence of models,
    /// which mean the same through a router only if the sequence meets one instance.
    /// </summary>
    public string[] NamesOnOneInstance(int count, string extension = ".onnx")
    {
        var names = new List<string>(count);
        var fleet = _router?.Services.GetRequiredService<Fleet>();
        string? home = null;
        for (var k = 0; names.Count < count; k++)
        {
            var name = $"model-{k:000}{extension}";
            if (fleet is not null)
            {
                var id = Placement.Home(name, fleet.All)!.Id;
                home ??= id;
                if (id != home)
                {
                    continue;
                }
            }

            names.Add(name);
        }

        return [.. names];
    }

    /// <summary>Waits (bounded) until models loaded straight from the model folder have their copies in the disk tier.</summary>
    public async Task SettledAsync()
    {
        foreach (var cache in Caches)
        {
            for (var i = 0; i < 500 && cache.PendingBackgroundWork > 0; i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(0, cache.PendingBackgroundWork);
        }
    }

    /// <summary>Bytes of every file under a cache folder (by default the whole <see cref="CacheFolder"/>), as the disk has them.</summary>
    public long CacheBytesOnDisk(string? folder = null)
    {
        folder ??= CacheFolder;
        return Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
    }

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

    /// <summary>Puts an observed real ONNX runtime in place of the plain one (shared by a fleet's instances, so its counts are the fleet's).</summary>
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
        if (_router is not null)
        {
            await _router.DisposeAsync();
            _router = null;
        }

        foreach (var app in _instances)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
