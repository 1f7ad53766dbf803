using System.Net.Http.Headers;
using OpenMme.Host;
using OpenMme.Samples;
using OpenMme.TestSupport;
using OpenMme.Wire;
using OpenMme.Wire.Auth;

namespace OpenMme.Router;

/// <summary>
/// <see cref="EndpointFleets"/> in front of a front door, all in this process on loopback: real
/// Kestrel hosts with ONNX Runtime serving sample models as endpoint <c>ep</c>, published under that
/// name, replaced and withdrawn, while the front door's own route answers every other request.
/// </summary>
public sealed class EndpointFleetsTests : IAsyncLifetime
{
    private const string OwnAnswer = "the front door's own endpoint";
    private readonly TempDirectory _root = new();
    private readonly List<WebApplication> _hosts = [];
    private readonly SampleModel _sample = SampleModelFactory.Create(0, 20_000);
    private WebApplication? _frontDoor;
    private HttpClient? _client;

    private EndpointFleets Fleets => _frontDoor!.Services.GetRequiredService<EndpointFleets>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root.Combine("models"));
        await File.WriteAllBytesAsync(_root.Combine("models", _sample.Name), _sample.Onnx);
        var builder = WireApplication.CreateBuilder("127.0.0.1", 0, jsonLogs: false, _ => { });
        builder.Services.AddRequestSigning(new RequestSigningSettings());
        builder.Services.AddEndpointFleets();
        _frontDoor = builder.Build();
        _frontDoor.UseEndpointFleets();
        _frontDoor.MapPost("/endpoints/{name}/invocations", () => OwnAnswer);
        await _frontDoor.StartAsync();
        _client = new HttpClient { BaseAddress = _frontDoor.ListeningAddress() };
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        foreach (var app in _hosts.Append(_frontDoor!))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _root.Dispose();
    }

    [Fact]
    public async Task A_published_name_reaches_its_fleet_ignoring_case_and_a_replacement_takes_over()
    {
        Assert.Equal(OwnAnswer, await (await InvokeAsync("ep", _sample.Name)).Content.ReadAsStringAsync());

        var first = await StartFleetAsync("first");
        Assert.Null(Fleets.Publish(first));
        using (var response = await InvokeAsync("EP", _sample.Name))
        {
            Assert.Equal("first", response.Headers.GetValues(SageMakerHeaders.InvokedVariant).Single());
            SampleAssert.SameKServeAnswer(SampleWriter.ResponseJson(_sample, _sample.Name), await response.Content.ReadAsByteArrayAsync());
        }

        var second = await StartFleetAsync("second");
        Assert.Same(first, Fleets.Publish(second));
        using (var response = await InvokeAsync("ep", _sample.Name))
        {
            Assert.Equal("second", response.Headers.GetValues(SageMakerHeaders.InvokedVariant).Single());
        }

        Assert.Equal(OwnAnswer, await (await InvokeAsync("other", _sample.Name)).Content.ReadAsStringAsync());
        Assert.Same(second, Fleets.Withdraw("Ep"));
        Assert.Equal(OwnAnswer, await (await InvokeAsync("ep", _sample.Name)).Content.ReadAsStringAsync());
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task A_single_model_fleet_serves_its_key_and_refuses_a_target_model()
    {
        var fleet = await StartFleetAsync("only", singleModelKey: _sample.Name);
        Fleets.Publish(fleet);

        using (var response = await InvokeAsync("ep", null))
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            SampleAssert.SameKServeAnswer(SampleWriter.ResponseJson(_sample, _sample.Name), await response.Content.ReadAsByteArrayAsync());
        }

        using var refused = await InvokeAsync("ep", _sample.Name);
        Assert.Equal(400, (int)refused.StatusCode);
        Assert.Equal("ValidationError", refused.Headers.GetValues(WireErrors.ErrorTypeHeader).Single());
        Assert.Contains("TARGET_MODEL_HEADER_NOT_SUPPORTED", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Fleets.Withdraw("ep")!.DisposeAsync();
    }

    private async Task<EndpointFleet> StartFleetAsync(string variant, string? singleModelKey = null)
    {
        var host = ModelHostApplication.Create(new ModelHostSettings
        {
            ModelSource = _root.Combine("models"),
            CacheDirectory = _root.Combine("cache-" + variant),
            Port = 0,
            MemoryBudgetBytes = 64L << 20,
            DrainDelay = TimeSpan.Zero,
            Http = new ModelHostOptions(EndpointName: "ep", VariantName: variant),
        }, _ => { });
        _hosts.Add(host);
        await host.StartAsync();
        var fleet = Fleets.Create("ep", [new VariantFleetSpec(variant, 1, [host.ListeningAddress()], singleModelKey)]);
        Assert.True(await fleet.Variants[0].StartAsync(TimeSpan.FromSeconds(10), CancellationToken.None));
        return fleet;
    }

    private async Task<HttpResponseMessage> InvokeAsync(string endpoint, string? target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{endpoint}/invocations") { Content = new ByteArrayContent(SampleWriter.RequestJson(_sample)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (target is not null)
        {
            request.Headers.Add(SageMakerHeaders.TargetModel, target);
        }

        return await _client!.SendAsync(request);
    }
}
