using System.Net;
using OpenMme.MemoryTier;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Host;

/// <summary>The instance over a real S3 server: store reads, disk budget, restarts, versions, outages, cache-disabled mode.</summary>
public sealed class StoreTierTests
{
    private static long OneModel(long bytes) => ModelFootprint.Estimate(SampleModelFactory.Create(1, bytes).Onnx.Length + 64);

    [Fact]
    public async Task Reinvoking_reads_the_store_zero_times_after_memory_eviction_and_restart_and_once_after_disk_eviction()
    {
        await using var host = await HostFixture.StartAsync(StoreKind.S3, s => s with { MemoryBudgetBytes = OneModel(40_000) });
        var names = host.NamesOnOneInstance(2);
        var a = await host.AddSampleAsync(0, 40_000, name: names[0]);
        var b = await host.AddSampleAsync(1, 40_000, name: names[1]);

        await InvokeExpectingAsync(host, a, "miss");
        await InvokeExpectingAsync(host, b, "miss");
        Assert.Equal(2, host.Downloads);
        await InvokeExpectingAsync(host, a, "disk");
        Assert.Equal(2, host.Downloads);

        await host.RestartAsync();
        await InvokeExpectingAsync(host, a, "disk");
        await InvokeExpectingAsync(host, b, "disk");
        Assert.Equal(0, host.Downloads);
    }

    [Fact]
    public async Task After_disk_eviction_a_model_is_read_from_the_store_exactly_once()
    {
        var artifact = SampleModelFactory.Create(1, 40_000).Onnx.Length;
        await using var host = await HostFixture.StartAsync(StoreKind.S3, s => s with
        {
            MemoryBudgetBytes = OneModel(40_000),
            DiskBudgetBytes = artifact + 4096 + 8192,
        });
        var names = host.NamesOnOneInstance(2);
        var a = await host.AddSampleAsync(0, 40_000, name: names[0]);
        var b = await host.AddSampleAsync(1, 40_000, name: names[1]);

        await InvokeExpectingAsync(host, a, "miss");
        await InvokeExpectingAsync(host, b, "miss");
        Assert.Equal(1, host.Disks.Sum(d => d.Count));
        var before = host.Downloads;
        await InvokeExpectingAsync(host, a, "miss");

        Assert.Equal(1, host.Downloads - before);
    }

    [Fact]
    public async Task Two_hundred_models_cycle_through_a_disk_budget_for_twenty_without_exceeding_it()
    {
        var largest = Enumerable.Range(0, 4).Max(i => SampleModelFactory.Create(i, 8_000).Onnx.Length);
        // Twenty artifacts with their record files; the record is a few hundred bytes.
        var budget = 20L * (largest + 512);
        await using var host = await HostFixture.StartAsync(StoreKind.S3, s => s with
        {
            MemoryBudgetBytes = 5 * OneModel(8_000),
            DiskBudgetBytes = budget,
        });
        var samples = new List<SampleModel>();
        for (var i = 0; i < 200; i++)
        {
            samples.Add(await host.AddSampleAsync(i, 8_000));
        }

        foreach (var sample in samples)
        {
            using var response = await host.InvokeSampleAsync(sample);
            await HostFixture.AssertExpectedAsync(sample, response);
            // Each instance within its budget (a fleet's instances each have the whole of it).
            Assert.All(host.CacheFolders, folder => Assert.InRange(host.CacheBytesOnDisk(folder), 0, budget));
        }

        Assert.All(host.Disks, d => Assert.InRange(d.Count, 0, 20));
        Assert.InRange(host.Disks.Sum(d => d.Count), 1, 20 * host.Disks.Count);
        Assert.Equal(200, host.Downloads);
    }

    [Fact]
    public async Task An_overwritten_object_is_served_consistently_until_eviction_then_in_its_new_version()
    {
        await using var host = await HostFixture.StartAsync(StoreKind.S3);
        var v1 = await host.AddSampleAsync(0, 20_000, seed: 1);
        await InvokeExpectingAsync(host, v1, "miss");

        var v2 = await host.AddSampleAsync(0, 20_000, seed: 2);
        Assert.NotEqual(v1.ExpectedOutputs[0].Values, v2.ExpectedOutputs[0].Values);
        await InvokeExpectingAsync(host, v1, "hit");
        await InvokeExpectingAsync(host, v1, "hit");

        using var unload = await host.Client.DeleteAsync("/models/" + v1.Name);
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        await InvokeExpectingAsync(host, v2, "miss");
        Assert.Equal(1, host.Disks.Sum(d => d.Count));
    }

    [Fact]
    public async Task With_the_store_down_warm_models_serve_cold_ones_get_530_and_load_once_it_is_back()
    {
        using var s3 = S3rverProcess.Start();
        await using var host = await HostFixture.StartAsync(StoreKind.S3, s3Endpoint: s3.Endpoint);
        var warm = await host.AddSampleAsync(0);
        var cold = await host.AddSampleAsync(1);
        await InvokeExpectingAsync(host, warm, "miss");

        s3.Stop();
        await InvokeExpectingAsync(host, warm, "hit");
        using (var down = await host.InvokeSampleAsync(cold))
        {
            Assert.Equal(530, (int)down.StatusCode);
            Assert.Equal("InternalDependencyException", HostFixture.Header(down, "x-amzn-ErrorType"));
            Assert.Contains("unreachable", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        s3.Restart();
        await InvokeExpectingAsync(host, cold, "miss");
    }

    [Fact]
    public async Task A_missing_object_is_a_validation_error_naming_bucket_and_key()
    {
        await using var host = await HostFixture.StartAsync(StoreKind.S3);

        using var response = await host.InvokeAsync("team/absent.onnx", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ValidationError", HostFixture.Header(response, "x-amzn-ErrorType"));
        Assert.Contains($"(bucket: {host.Bucket!.Bucket}, key: models/team/absent.onnx)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_disabled_mode_leaves_nothing_in_memory_or_on_disk_after_a_burst()
    {
        await using var host = await HostFixture.StartAsync(StoreKind.S3, s => s with { ModelCache = ModelCacheSetting.Disabled });
        var samples = new List<SampleModel>();
        for (var i = 0; i < 50; i++)
        {
            samples.Add(await host.AddSampleAsync(i, 10_000));
        }

        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(samples.Select(async sample =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await host.InvokeSampleAsync(sample);
                await HostFixture.AssertExpectedAsync(sample, response);
            }
            finally
            {
                gate.Release();
            }
        }));

        // Unloads run in the background: wait for them, bounded.
        var artifacts = host.CacheFolders.Select(f => Path.Combine(f, "artifacts")).ToArray();
        bool Left() => host.Caches.Any(c => c.Counters.LoadedModels > 0) || host.Disks.Any(d => d.Count > 0) || artifacts.Any(a => Directory.EnumerateFileSystemEntries(a).Any());
        for (var i = 0; i < 100 && Left(); i++)
        {
            await Task.Delay(50);
        }

        Assert.All(host.Caches, c => Assert.Equal(0, c.Counters.LoadedModels));
        Assert.All(host.Disks, d => Assert.Equal(0, d.Count));
        Assert.All(artifacts, a => Assert.Empty(Directory.EnumerateFileSystemEntries(a)));
        Assert.All(host.Caches, c => Assert.Equal(0, c.Counters.AccountedBytes));
    }

    [Fact]
    public async Task A_pinned_model_is_not_evicted_and_survives_cache_disabled_mode()
    {
        await using var host = await HostFixture.StartAsync(StoreKind.S3, s => s with { ModelCache = ModelCacheSetting.Disabled });
        var pinned = await host.AddSampleAsync(0);
        using var load = await host.Client.PostAsync("/models",
            new StringContent($$"""{"model_name":"{{pinned.Name}}","url":"{{pinned.Name}}","pinned":true}"""));
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);

        await InvokeExpectingAsync(host, pinned, "hit");
        await Task.Delay(200);

        Assert.Contains(host.Caches, c => c.IsLoaded(pinned.Name));
        Assert.Contains("\"pinned\":true", await host.Client.GetStringAsync("/models/" + pinned.Name), StringComparison.Ordinal);
        using var unpin = await host.Client.DeleteAsync($"/models/{pinned.Name}/pin");
        Assert.Contains("\"pinned\":false", await unpin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task InvokeExpectingAsync(HostFixture host, SampleModel sample, string cache)
    {
        using var response = await host.InvokeSampleAsync(sample);
        await HostFixture.AssertExpectedAsync(sample, response);
        Assert.Equal(cache, HostFixture.Header(response, "X-OpenMme-Cache"));
    }
}
