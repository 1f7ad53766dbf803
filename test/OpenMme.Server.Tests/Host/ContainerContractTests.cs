using System.Net;
using System.Text.Json;
using OpenMme.MemoryTier;
using OpenMme.Runtime.Onnx;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Host;

public sealed class ContainerContractTests
{
    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Ping_answers_200(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);

        using var response = await host.Client.GetAsync("/ping");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Load_describe_invoke_list_and_unload_a_model(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var sample = await host.AddSampleAsync(3, name: "bool/model.onnx");

        using var load = await host.Client.PostAsJsonAsync("/models", new { model_name = "masked", url = "bool/model.onnx" });
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        using var again = await host.Client.PostAsJsonAsync("/models", new { model_name = "masked", url = "bool/model.onnx" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        using var describe = await host.Client.GetAsync("/models/masked");
        using var description = JsonDocument.Parse(await describe.Content.ReadAsStringAsync());
        Assert.Equal("masked", description.RootElement.GetProperty("modelName").GetString());
        Assert.Equal("bool/model.onnx", description.RootElement.GetProperty("modelUrl").GetString());
        Assert.Equal("Loaded", description.RootElement.GetProperty("state").GetString());

        using var invoke = await host.Client.PostAsync("/models/masked/invoke", new ByteArrayContent(SampleWriter.RequestJson(sample)));
        await HostFixture.AssertExpectedAsync(sample with { Name = "masked" }, invoke);
        Assert.Equal("hit", HostFixture.Header(invoke, "X-OpenMme-Cache"));

        using var list = await host.Client.GetAsync("/models");
        Assert.Equal("""{"models":[{"modelName":"masked","modelUrl":"bool/model.onnx"}]}""", await list.Content.ReadAsStringAsync());

        using var unload = await host.Client.DeleteAsync("/models/masked");
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        using var unloadAgain = await host.Client.DeleteAsync("/models/masked");
        Assert.Equal(HttpStatusCode.NotFound, unloadAgain.StatusCode);
        using var invokeUnloaded = await host.Client.PostAsync("/models/masked/invoke", new ByteArrayContent(SampleWriter.RequestJson(sample)));
        Assert.Equal(HttpStatusCode.NotFound, invokeUnloaded.StatusCode);
        using var describeUnloaded = await host.Client.GetAsync("/models/masked");
        Assert.Equal(HttpStatusCode.NotFound, describeUnloaded.StatusCode);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Listing_pages_through_loaded_models_with_tokens(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        for (var i = 0; i < 5; i++)
        {
            var sample = await host.AddSampleAsync(i, 10_000);
            using var response = await host.InvokeSampleAsync(sample);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = token is null ? "/models?limit=2" : $"/models?limit=2&next_page_token={Uri.EscapeDataString(token)}";
            using var page = JsonDocument.Parse(await host.Client.GetStringAsync(url));
            names.AddRange(page.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("modelName").GetString()!));
            token = page.RootElement.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(5, names.Distinct().Count());
        using var bad = await host.Client.GetAsync("/models?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Loading_a_missing_artifact_answers_404(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);

        using var response = await host.Client.PostAsJsonAsync("/models", new { model_name = "m", url = "absent.onnx" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Loading_a_model_that_cannot_fit_answers_507(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store, s => s with { MemoryBudgetBytes = ModelFootprint.SessionOverheadBytes + 1000 });
        await host.AddSampleAsync(0, 100_000);

        using var response = await host.Client.PostAsJsonAsync("/models", new { model_name = "big", url = "fp32-000.onnx" });

        Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
        Assert.Contains("more than the whole memory budget", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Invocations_take_the_target_model_header_as_the_platform_sends_it(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var sample = await host.AddSampleAsync(2);
        await host.AssertServesAsync(sample);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = new ByteArrayContent(SampleWriter.RequestJson(sample)) };
        request.Headers.Add("X-Amzn-SageMaker-Target-Model", sample.Name);
        request.Content.Headers.ContentType = new("application/json");

        using var response = await host.Client.SendAsync(request);

        // The model the runtime API loaded answers: through a router, the header places the request too.
        await HostFixture.AssertExpectedAsync(sample, response);
        Assert.Equal("hit", HostFixture.Header(response, "X-OpenMme-Cache"));
    }

    [Fact]
    public async Task Unloading_a_model_while_it_loads_waits_for_the_load_then_unloads_it()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runtime = new TrackingRuntime(new OnnxModelRuntime(new OnnxRuntimeOptions())) { LoadGate = gate.Task };
        var loading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runtime.Loading += _ => loading.TrySetResult();
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, runtime: runtime);
        var sample = await host.AddSampleAsync(0, name: "a.onnx");

        var load = host.Client.PostAsJsonAsync("/models", new { model_name = "alias", url = "a.onnx" });
        await loading.Task;
        var unloading = host.Client.DeleteAsync("/models/alias");
        await Task.WhenAny(unloading, Task.Delay(TimeSpan.FromSeconds(1)));
        gate.SetResult();
        using var unload = await unloading;

        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        using (var loaded = await load)
        {
            Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
        }

        Assert.DoesNotContain(host.Caches, c => c.IsLoaded("alias"));
        using var describe = await host.Client.GetAsync("/models/alias");
        Assert.Equal(HttpStatusCode.NotFound, describe.StatusCode);

        // The name is free again, and loads from its artifact rather than from a file named after it.
        using var reload = await host.Client.PostAsJsonAsync("/models", new { model_name = "alias", url = "a.onnx" });
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        using var invoke = await host.Client.PostAsync("/models/alias/invoke", new ByteArrayContent(SampleWriter.RequestJson(sample)));
        await HostFixture.AssertExpectedAsync(sample with { Name = "alias" }, invoke);
    }
}
