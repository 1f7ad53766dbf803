using System.Net.Http.Headers;
using System.Text.Json;
using OpenMme.Host;
using OpenMme.Samples;
using OpenMme.TestSupport;
using OpenMme.Wire;

namespace OpenMme.Router;

/// <summary>
/// A fleet in this process: instances on loopback ports, each a real Kestrel host with ONNX
/// Runtime, over one model folder of sample models, and a router in front. Stops everything on dispose.
/// </summary>
internal sealed class FleetFixture : IAsyncDisposable
{
    private readonly TempDirectory _root;
    private readonly List<WebApplication?> _hosts;
    private readonly WebApplication _router;

    private readonly S3TestBucket? _bucket;

    private FleetFixture(TempDirectory root, List<WebApplication?> hosts, WebApplication router, IReadOnlyList<SampleModel> samples, S3TestBucket? bucket)
    {
        _root = root;
        _bucket = bucket;
        _hosts = hosts;
        _router = router;
        Samples = samples;
        Client = new HttpClient { BaseAddress = WireApplication.ListeningAddress(router) };
    }

    public IReadOnlyList<SampleModel> Samples { get; }

    public HttpClient Client { get; }

    public Fleet Fleet => _router.Services.GetRequiredService<Fleet>();

    public string ModelFolder => Path.Combine(_root.Path, "models");

    public static async Task<FleetFixture> StartAsync(int instances, int models, long modelBytes = 20_000,
        Func<ModelHostSettings, ModelHostSettings>? host = null, Func<RouterSettings, RouterSettings>? router = null, bool s3 = false)
    {
        var root = new TempDirectory();
        var hosts = new List<WebApplication?>();
        WebApplication? routerApp = null;
        S3TestBucket? bucket = null;
        try
        {
            // The models in a local folder, or in a bucket of the suite's s3rver.
            Directory.CreateDirectory(Path.Combine(root.Path, "models"));
            bucket = s3 ? await S3TestBucket.CreateAsync() : null;
            var samples = Enumerable.Range(0, models).Select(i => SampleModelFactory.Create(i, modelBytes)).ToList();
            foreach (var sample in samples)
            {
                if (bucket is null)
                {
                    await File.WriteAllBytesAsync(Path.Combine(root.Path, "models", sample.Name), sample.Onnx);
                }
                else
                {
                    await bucket.PutAsync(sample.Name, sample.Onnx);
                }
            }

            for (var i = 0; i < instances; i++)
            {
                var settings = new ModelHostSettings
                {
                    ModelSource = bucket?.Source ?? Path.Combine(root.Path, "models"),
                    S3 = bucket?.StoreOptions ?? new(),
                    CacheDirectory = Path.Combine(root.Path, $"cache-{i}"),
                    Port = 0,
                    MemoryBudgetBytes = 256L << 20,
                    DrainDelay = TimeSpan.Zero,
                };
                var app = ModelHostApplication.Create(host?.Invoke(settings) ?? settings, _ => { });
                hosts.Add(app);
                await app.StartAsync();
            }

            var routerSettings = new RouterSettings
            {
                Port = 0,
                Instances = hosts.Select(h => WireApplication.ListeningAddress(h!)).ToArray(),
                HealthInterval = TimeSpan.FromMilliseconds(200),
                HealthTimeout = TimeSpan.FromMilliseconds(500),
                ModelsInterval = TimeSpan.FromSeconds(1),
            };
            routerApp = RouterApplication.Create(router?.Invoke(routerSettings) ?? routerSettings, _ => { });
            await RouterApplication.StartAsync(routerApp);
            return new FleetFixture(root, hosts, routerApp, samples, bucket);
        }
        catch
        {
            foreach (var app in hosts)
            {
                await app!.DisposeAsync();
            }

            if (routerApp is not null)
            {
                await routerApp.DisposeAsync();
            }

            bucket?.Dispose();
            root.Dispose();
            throw;
        }
    }

    /// <summary>Another router over the same instances, as a second replica of the front door would be.</summary>
    public async Task<WebApplication> StartSecondRouterAsync()
    {
        var settings = _router.Services.GetRequiredService<RouterSettings>() with { Port = 0 };
        var app = RouterApplication.Create(settings, _ => { });
        await RouterApplication.StartAsync(app);
        return app;
    }

    /// <summary>What the memory tier of instance <paramref name="index"/> has counted.</summary>
    public MemoryTier.ModelCacheCounters Counters(int index) => _hosts[index]!.Services.GetRequiredService<MemoryTier.ModelCache>().Counters;

    /// <summary>The address of instance <paramref name="index"/> as the router names it (host:port).</summary>
    public string InstanceId(int index) => WireApplication.ListeningAddress(_hosts[index]!).Authority;

    /// <summary>Stops instance <paramref name="index"/>: its port refuses connections from now on.</summary>
    public async Task StopInstanceAsync(int index)
    {
        var app = _hosts[index]!;
        _hosts[index] = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public Task<HttpResponseMessage> InvokeAsync(SampleModel sample, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/endpoints/local/invocations") { Content = new ByteArrayContent(SampleWriter.RequestJson(sample)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Amzn-SageMaker-Target-Model", sample.Name);
        return (client ?? Client).SendAsync(request);
    }

    /// <summary>Asserts a 200 whose outputs are the sample's references.</summary>
    public static async Task AssertCorrectAsync(SampleModel sample, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        var outputs = document.RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        foreach (var expected in sample.ExpectedOutputs)
        {
            var data = outputs[expected.Name].GetProperty("data").EnumerateArray()
                .Select(v => v.ValueKind switch { JsonValueKind.True => 1.0, JsonValueKind.False => 0.0, _ => v.GetDouble() })
                .ToArray();
            SampleAssert.Matches(expected.Name, expected.Values, data);
        }
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _router.DisposeAsync();
        foreach (var app in _hosts)
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        _bucket?.Dispose();
        _root.Dispose();
    }
}
