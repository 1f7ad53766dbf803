using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenMme.DiskTier;
using OpenMme.Host;
using OpenMme.MemoryTier;
using OpenMme.Samples;

namespace OpenMme.TestSupport;

/// <summary>A real instance on a loopback port over a temporary model folder; stopped on dispose.</summary>
public sealed class HostFixture : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HostFixture(string root, WebApplication app)
    {
        Root = root;
        _app = app;
        Client = new HttpClient { BaseAddress = app.ListeningAddress() };
    }

    public string Root { get; }

    public string ModelFolder => Path.Combine(Root, "models");

    public string CacheFolder => Path.Combine(Root, "cache");

    public HttpClient Client { get; }

    public ModelCache Cache => _app.Services.GetRequiredService<ModelCache>();

    public DiskTier.DiskTier Disk => _app.Services.GetRequiredService<DiskTier.DiskTier>();

    public static async Task<HostFixture> StartAsync(Func<ModelHostSettings, ModelHostSettings>? configure = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "openmme-host-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(root, "models"));
        var settings = new ModelHostSettings
        {
            ModelSource = Path.Combine(root, "models"),
            CacheDirectory = Path.Combine(root, "cache"),
            Port = 0,
            MemoryBudgetBytes = 256L << 20,
            Archive = new ArchiveLimits(10L << 20, 100),
        };
        var app = ModelHostApplication.Create(configure?.Invoke(settings) ?? settings, logging => { });
        await app.StartAsync();
        return new HostFixture(root, app);
    }

    public SampleModel AddSample(int index, long bytes = 20_000, string? name = null, bool archive = false)
    {
        var sample = SampleModelFactory.Create(index, bytes);
        var file = name ?? (archive ? Path.GetFileNameWithoutExtension(sample.Name) + ".tar.gz" : sample.Name);
        var path = Path.Combine(ModelFolder, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, archive ? SampleWriter.Archive(sample.Onnx) : sample.Onnx);
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
