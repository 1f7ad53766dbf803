using OpenMme.Failures;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.MemoryTier;

/// <summary>
/// Each test forces one interleaving of loads, leases, evictions and unloads that once broke a
/// promise of the memory tier: the budget is never overrun, a loading model keeps its files, a
/// lease cannot wedge a model, a model loaded ahead of use is not the first to go.
/// </summary>
public sealed class ModelCacheInterleavingTests
{
    [Fact]
    public async Task A_load_that_does_not_fit_is_refused_while_a_pinned_model_is_leased_and_released_in_a_loop()
    {
        // Room for one model: the pinned one. Its leases end all the time, each waking the waiting load.
        using var fixture = new CacheFixture(models: 2, modelBytes: 50_000, budget: one => one + (one / 2));
        var pinned = fixture.Samples[0];
        await fixture.InvokeAndCheckAsync(pinned);
        Assert.True(fixture.Cache.Pin(pinned.Name, pinned: true));
        using var stop = new CancellationTokenSource();
        var leasers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var lease = await fixture.Cache.AcquireAsync(pinned.Name, CancellationToken.None);
            }
        })).ToArray();

        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var error = await Assert.ThrowsAsync<ModelHostException>(() => fixture.Cache.AcquireAsync(fixture.Samples[1].Name, CancellationToken.None).AsTask());
                Assert.Equal(FailureKind.InsufficientMemory, error.Kind);
                Assert.False(fixture.Cache.IsLoaded(fixture.Samples[1].Name));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(leasers);
        }

        var counters = fixture.Cache.Counters;
        Assert.Equal(1, counters.LoadedModels);
        Assert.Equal(0, counters.OutstandingLeases);
        Assert.Equal(fixture.Cache.Describe(pinned.Name)!.Bytes, counters.AccountedBytes);
    }

    [Fact]
    public async Task A_model_loading_under_an_alias_keeps_its_artifact_while_another_download_needs_the_disk()
    {
        // Disk for one artifact: the second download wants the first one's room while it loads.
        var largest = Enumerable.Range(0, 2).Max(i => SampleModelFactory.Create(i, 50_000).Onnx.Length);
        using var fixture = new CacheFixture(models: 2, modelBytes: 50_000, budget: one => one * 4, diskBudget: largest + 8192);
        // The first model's artifact is on disk, not in memory: the alias loads it from the disk tier's copy.
        await fixture.InvokeAndCheckAsync(fixture.Samples[0]);
        await fixture.SettledAsync();
        Assert.True(fixture.Cache.Unload(fixture.Samples[0].Name));
        var loading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Runtime.Loading += _ => loading.TrySetResult();
        fixture.Runtime.LoadDelay = TimeSpan.FromMilliseconds(300);

        var alias = fixture.Cache.LoadAsync("alias", fixture.Samples[0].Name, CancellationToken.None);
        await loading.Task;
        await fixture.InvokeAndCheckAsync(fixture.Samples[1]);
        Assert.Equal(CacheOutcome.Disk, await alias);

        using var lease = await fixture.Cache.AcquireAsync("alias", CancellationToken.None);
        using var inputs = SampleAssert.Inputs(fixture.Samples[0]);
        using var outputs = lease.Model.Run(inputs);
        SampleAssert.Matches(fixture.Samples[0], outputs);
        Assert.Equal(0, fixture.Cache.Counters.FailedLoads);
    }

    [Fact]
    public async Task A_lease_disposed_twice_or_through_a_copy_releases_once()
    {
        using var fixture = new CacheFixture(models: 1, modelBytes: 10_000, budget: one => one * 4);
        var sample = fixture.Samples[0];
        var lease = await fixture.Cache.AcquireAsync(sample.Name, CancellationToken.None);
        var copy = lease;

        lease.Dispose();
        copy.Dispose();
        lease.Dispose();

        Assert.Equal(0, fixture.Cache.Counters.OutstandingLeases);
        var again = await fixture.Cache.AcquireAsync(sample.Name, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        using (again)
        {
            Assert.Equal(CacheOutcome.Hit, again.Outcome);
            using var inputs = SampleAssert.Inputs(sample);
            using var outputs = again.Model.Run(inputs);
            SampleAssert.Matches(sample, outputs);
        }

        Assert.True(fixture.Cache.Unload(sample.Name));
        Assert.Equal(1, fixture.Runtime.Disposed);
        Assert.Equal(0, fixture.Cache.Counters.AccountedBytes);
    }

    [Fact]
    public async Task A_model_loaded_ahead_of_use_counts_as_used_and_is_not_evicted_first()
    {
        using var fixture = new CacheFixture(models: 4, modelBytes: 50_000, budget: one => one * 3);
        await fixture.InvokeAndCheckAsync(fixture.Samples[0]);
        await fixture.InvokeAndCheckAsync(fixture.Samples[1]);
        await fixture.Cache.LoadAsync("ahead", fixture.Samples[2].Name, CancellationToken.None);

        await fixture.InvokeAndCheckAsync(fixture.Samples[3]);

        Assert.True(fixture.Cache.IsLoaded("ahead"));
        Assert.False(fixture.Cache.IsLoaded(fixture.Samples[0].Name));
    }
}
