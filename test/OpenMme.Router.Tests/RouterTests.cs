using System.Net;
using System.Text;
using System.Text.Json;
using OpenMme.Samples;
using OpenMme.Wire;

namespace OpenMme.Router;

/// <summary>The router in front of real instances in this process: placement, stickiness, failover, spill, the container contract.</summary>
public sealed class RouterTests
{
    [Fact]
    public async Task Each_model_goes_to_its_home_and_stays_there_warm()
    {
        await using var fleet = await FleetFixture.StartAsync(instances: 3, models: 6);

        foreach (var sample in fleet.Samples)
        {
            var home = Placement.Home(sample.Name, fleet.Fleet.Healthy)!.Id;
            using var first = await fleet.InvokeAsync(sample);
            await FleetFixture.AssertCorrectAsync(sample, first);
            Assert.Equal(home, FleetFixture.Header(first, FleetForwarder.InstanceHeader));
            Assert.Equal("home", FleetFixture.Header(first, FleetForwarder.RouteHeader));
            Assert.Equal("miss", FleetFixture.Header(first, "X-OpenMme-Cache"));

            using var second = await fleet.InvokeAsync(sample);
            await FleetFixture.AssertCorrectAsync(sample, second);
            Assert.Equal(home, FleetFixture.Header(second, FleetForwarder.InstanceHeader));
            Assert.Equal("hit", FleetFixture.Header(second, "X-OpenMme-Cache"));
        }

        // The homes spread over more than one instance.
        Assert.True(fleet.Samples.Select(s => Placement.Home(s.Name, fleet.Fleet.Healthy)!.Id).Distinct().Count() > 1);
    }

    [Fact]
    public async Task Two_routers_side_by_side_send_each_model_to_the_same_instance()
    {
        await using var fleet = await FleetFixture.StartAsync(instances: 3, models: 8);
        await using var second = await fleet.StartSecondRouterAsync();
        using var secondClient = new HttpClient { BaseAddress = WireApplication.ListeningAddress(second) };

        foreach (var sample in fleet.Samples)
        {
            using var a = await fleet.InvokeAsync(sample);
            using var b = await fleet.InvokeAsync(sample, secondClient);
            Assert.Equal(FleetFixture.Header(a, FleetForwarder.InstanceHeader), FleetFixture.Header(b, FleetForwarder.InstanceHeader));
            Assert.Equal("hit", FleetFixture.Header(b, "X-OpenMme-Cache"));
        }
    }

    [Fact]
    public async Task A_request_for_a_stopped_instance_goes_to_the_next_one_and_the_instance_leaves_the_set()
    {
        // Health checks far apart: the router learns of the stopped instance from a failed delivery.
        await using var fleet = await FleetFixture.StartAsync(instances: 3, models: 12, router: r => r with { HealthInterval = TimeSpan.FromHours(1) });
        var stopped = fleet.InstanceId(0);
        var orphans = fleet.Samples.Where(s => Placement.Home(s.Name, fleet.Fleet.Healthy)!.Id == stopped).ToList();
        Assert.NotEmpty(orphans);

        await fleet.StopInstanceAsync(0);

        foreach (var sample in orphans)
        {
            using var response = await fleet.InvokeAsync(sample);
            await FleetFixture.AssertCorrectAsync(sample, response);
            Assert.NotEqual(stopped, FleetFixture.Header(response, FleetForwarder.InstanceHeader));
        }

        Assert.DoesNotContain(fleet.Fleet.Healthy, i => i.Id == stopped);
        var metrics = await fleet.Client.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("openmme_router_failovers_total{", StringComparison.Ordinal)
            && line.Contains($"instance=\"{stopped}\"", StringComparison.Ordinal) && !line.EndsWith(" 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rendezvous_placement_hits_more_often_than_random_with_the_same_memory()
    {
        // Three instances with memory for about four of 24 models each, the same Zipf(1.0) sequence of requests.
        const int Models = 24;
        var trace = ZipfTrace(Models, requests: 500, seed: 7);
        var rendezvous = await HitRatioAsync(PlacementPolicy.Rendezvous, trace, Models);
        var random = await HitRatioAsync(PlacementPolicy.Random, trace, Models);

        Assert.True(rendezvous > random + 0.05, $"hit ratio rendezvous {rendezvous:F3}, random {random:F3}");
    }

    [Fact]
    public async Task A_hot_model_spills_to_a_second_instance_only_when_spill_is_on()
    {
        Assert.Equal(1, await InstancesHoldingHotModelAsync(spillThreshold: 0));
        Assert.True(await InstancesHoldingHotModelAsync(spillThreshold: 1) >= 2);
    }

    [Fact]
    public async Task The_container_contract_reaches_the_instance_of_each_name()
    {
        await using var fleet = await FleetFixture.StartAsync(instances: 2, models: 2);
        var sample = fleet.Samples[0];

        using var load = await fleet.Client.PostAsync("/models", new StringContent($$"""{"model_name":"alias","url":"{{sample.Name}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        var holder = FleetFixture.Header(load, FleetForwarder.InstanceHeader);

        using var list = JsonDocument.Parse(await fleet.Client.GetStringAsync("/models"));
        Assert.Contains(list.RootElement.GetProperty("models").EnumerateArray(), m => m.GetProperty("modelName").GetString() == "alias");
        using var describe = await fleet.Client.GetAsync("/models/alias");
        Assert.Equal(HttpStatusCode.OK, describe.StatusCode);

        using var invoke = await fleet.Client.PostAsync("/models/alias/invoke", new ByteArrayContent(SampleWriter.RequestJson(sample)));
        await FleetFixture.AssertCorrectAsync(sample, invoke);
        Assert.Equal(holder, FleetFixture.Header(invoke, FleetForwarder.InstanceHeader));

        using var unload = await fleet.Client.DeleteAsync("/models/alias");
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        using var gone = await fleet.Client.GetAsync("/models/alias");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task The_placement_view_shows_where_each_model_is_and_its_home()
    {
        await using var fleet = await FleetFixture.StartAsync(instances: 3, models: 3);
        foreach (var sample in fleet.Samples)
        {
            using var response = await fleet.InvokeAsync(sample);
            Assert.True(response.IsSuccessStatusCode);
        }

        using var view = JsonDocument.Parse(await fleet.Client.GetStringAsync("/endpoints/local/placement?model=not-loaded.onnx"));

        Assert.Equal(3, view.RootElement.GetProperty("instances").GetArrayLength());
        var models = view.RootElement.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("model").GetString()!);
        Assert.Equal(4, models.Count);
        foreach (var sample in fleet.Samples)
        {
            var home = models[sample.Name].GetProperty("home").GetString();
            Assert.Equal(Placement.Home(sample.Name, fleet.Fleet.Healthy)!.Id, home);
            Assert.Equal([home], models[sample.Name].GetProperty("loadedOn").EnumerateArray().Select(e => e.GetString()));
        }

        Assert.Empty(models["not-loaded.onnx"].GetProperty("loadedOn").EnumerateArray());
        Assert.Equal(3, models["not-loaded.onnx"].GetProperty("order").GetArrayLength());
    }

    private static async Task<double> HitRatioAsync(PlacementPolicy policy, int[] trace, int models)
    {
        // 20 KB samples are accounted at about 300 KiB each; 1.25 MiB holds about four.
        await using var fleet = await FleetFixture.StartAsync(instances: 3, models: models,
            host: s => s with { MemoryBudgetBytes = 1_300_000 }, router: r => r with { Policy = policy });
        var hits = 0;
        foreach (var index in trace)
        {
            using var response = await fleet.InvokeAsync(fleet.Samples[index]);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            hits += FleetFixture.Header(response, "X-OpenMme-Cache") == "hit" ? 1 : 0;
        }

        return hits / (double)trace.Length;
    }

    private static async Task<int> InstancesHoldingHotModelAsync(int spillThreshold)
    {
        // One invocation at a time per instance: eight clients on one model are more than one instance runs at once.
        await using var fleet = await FleetFixture.StartAsync(instances: 2, models: 1, modelBytes: 2_000_000,
            host: s => s with { MaxConcurrentInvocations = 1 }, router: r => r with { SpillThreshold = spillThreshold });
        var sample = fleet.Samples[0];
        var clients = Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 15; i++)
            {
                using var response = await fleet.InvokeAsync(sample);
                await FleetFixture.AssertCorrectAsync(sample, response);
            }
        });
        await Task.WhenAll(clients);

        return fleet.Fleet.All.Count(i => i.Holds(sample.Name));
    }

    /// <summary>Model indexes drawn from Zipf(1.0) over <paramref name="models"/>, seeded.</summary>
    private static int[] ZipfTrace(int models, int requests, int seed)
    {
        var weights = Enumerable.Range(1, models).Select(rank => 1.0 / rank).ToArray();
        var total = weights.Sum();
        var random = new Random(seed);
        return Enumerable.Range(0, requests).Select(_ =>
        {
            var x = random.NextDouble() * total;
            for (var i = 0; i < models; i++)
            {
                x -= weights[i];
                if (x <= 0)
                {
                    return i;
                }
            }

            return models - 1;
        }).ToArray();
    }
}
