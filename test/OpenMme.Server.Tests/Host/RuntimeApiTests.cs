using System.Net;
using System.Text.Json;
using OpenMme.MemoryTier;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Host;

public sealed class RuntimeApiTests
{
    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Ten_models_load_on_first_use_and_answer_the_reference_outputs(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var samples = new List<SampleModel>();
        for (var i = 0; i < 10; i++)
        {
            samples.Add(await host.AddSampleAsync(i));
        }


        foreach (var sample in samples)
        {
            using var first = await host.InvokeSampleAsync(sample);
            await HostFixture.AssertExpectedAsync(sample, first);
            Assert.Equal("miss", HostFixture.Header(first, "X-OpenMme-Cache"));
            using var second = await host.InvokeSampleAsync(sample);
            await HostFixture.AssertExpectedAsync(sample, second);
            Assert.Equal("hit", HostFixture.Header(second, "X-OpenMme-Cache"));
        }

        Assert.Equal(10, host.Caches.Sum(c => c.Counters.Loads));
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task A_model_added_to_the_store_while_serving_is_invocable_at_once(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var sample = SampleModelFactory.Create(5, 20_000);
        using var before = await host.InvokeAsync(sample.Name, SampleWriter.RequestJson(sample));
        Assert.Equal(HttpStatusCode.BadRequest, before.StatusCode);

        await host.AddSampleAsync(5);
        using var after = await host.InvokeSampleAsync(sample);

        await HostFixture.AssertExpectedAsync(sample, after);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Archived_models_in_subfolders_are_served_by_their_key(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var sample = await host.AddSampleAsync(2, name: "fraud/v3.tar.gz", archive: true);

        using var response = await host.InvokeSampleAsync(sample);

        await HostFixture.AssertExpectedAsync(sample, response);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Success_responses_carry_the_sagemaker_headers(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var sample = await host.AddSampleAsync(0);

        using var response = await host.InvokeSampleAsync(sample);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("AllTraffic", HostFixture.Header(response, "x-Amzn-Invoked-Production-Variant"));
        Assert.NotEmpty(HostFixture.Header(response, "x-amzn-RequestId"));

        // Through a router (OPENMME_TEST_FLEET), also the instance that answered.
        Assert.Equal(HostFixture.IsFleet, HostFixture.Header(response, "X-OpenMme-Instance").Length > 0);
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Instances_and_npy_bodies_are_answered_in_kind(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var sample = await host.AddSampleAsync(0);
        var x = sample.Inputs[0].Values;
        var rows = $"[[{string.Join(",", x.Take(8))}],[{string.Join(",", x.Skip(8))}]]";

        using var instances = await host.InvokeAsync(sample.Name, $$"""{"instances":{{rows}}}""");
        using var document = JsonDocument.Parse(await instances.Content.ReadAsStringAsync());
        var predictions = document.RootElement.GetProperty("predictions").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetDouble()).ToArray();
        SampleAssert.Matches("predictions", sample.ExpectedOutputs[0].Values, predictions);

        using var npy = await host.InvokeAsync(sample.Name, NpyOf(x.Select(v => (float)v).ToArray(), 2, 8), "application/x-npy");
        Assert.Equal("application/x-npy", npy.Content.Headers.ContentType!.MediaType);
        var body = await npy.Content.ReadAsByteArrayAsync();
        var values = new float[8];
        Buffer.BlockCopy(body, body.Length - 32, values, 0, 32);
        SampleAssert.Matches("npy", sample.ExpectedOutputs[0].Values, values.Select(v => (double)v).ToArray());
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task Sixty_four_concurrent_cold_requests_share_one_staging_and_one_session(StoreKind store)
    {
        await using var host = await HostFixture.StartAsync(store);
        var sample = await host.AddSampleAsync(1, bytes: 2_000_000);

        var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => host.InvokeSampleAsync(sample)));

        foreach (var response in responses)
        {
            await HostFixture.AssertExpectedAsync(sample, response);
            response.Dispose();
        }

        await host.SettledAsync();
        // Alone, one of each; a fleet spills a busy model to a second instance, which stages and loads it once too.
        var loads = host.Caches.Select(c => c.Counters.Loads).ToArray();
        Assert.Equal(loads, host.Disks.Select(d => d.Stagings));
        Assert.All(loads, l => Assert.InRange(l, 0, 1));
        Assert.InRange(loads.Sum(), 1, loads.Length);
        Assert.All(host.Caches, c => Assert.Equal(0, c.Counters.OutstandingLeases));
    }

    [Theory]
    [MemberData(nameof(HostFixture.Stores), MemberType = typeof(HostFixture))]
    public async Task An_evicted_model_comes_back_from_disk_without_staging_again(StoreKind store)
    {
        var one = ModelFootprint.Estimate(SampleModelFactory.Create(0, 50_000).Onnx.Length + 100);
        // LRU, whose order a cycle through ten models defeats: every second-round request is a disk load.
        await using var host = await HostFixture.StartAsync(store, s => s with { MemoryBudgetBytes = 3 * one, EvictionPolicy = "lru" });
        // Through a router, models that share an instance, so the cycle meets one memory tier.
        var names = host.NamesOnOneInstance(10);
        var samples = new List<SampleModel>();
        for (var i = 0; i < 10; i++)
        {
            samples.Add(await host.AddSampleAsync(i, 50_000, name: names[i]));
        }

        var headers = new List<string>();

        for (var round = 0; round < 2; round++)
        {
            foreach (var sample in samples)
            {
                using var response = await host.InvokeSampleAsync(sample);
                await HostFixture.AssertExpectedAsync(sample, response);
                headers.Add(HostFixture.Header(response, "X-OpenMme-Cache"));
                Assert.All(host.Caches, c => Assert.InRange(c.Counters.AccountedBytes, 0, 3 * one));
            }
        }

        Assert.All(headers.Take(10), h => Assert.Equal("miss", h));
        Assert.All(headers.Skip(10), h => Assert.Equal("disk", h));
        await host.SettledAsync();
        Assert.Equal(10, host.Disks.Sum(d => d.Stagings));
        Assert.Equal(17, host.Caches.Sum(c => c.Counters.Evictions));
    }

    private static byte[] NpyOf(float[] values, int rows, int columns)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        header = header.PadRight(64 - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0, (byte)header.Length, 0]);
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (var value in values)
        {
            bytes.AddRange(BitConverter.GetBytes(value));
        }

        return [.. bytes];
    }
}
