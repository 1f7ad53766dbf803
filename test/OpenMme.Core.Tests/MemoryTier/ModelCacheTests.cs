using OpenMme.Failures;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.MemoryTier;

public sealed class ModelCacheTests
{
    [Fact]
    public async Task Concurrent_first_requests_share_one_staging_and_one_session()
    {
        using var fixture = new CacheFixture(models: 1, modelBytes: 200_000, budget: one => one * 4);
        fixture.Runtime.LoadDelay = TimeSpan.FromMilliseconds(200);
        var sample = fixture.Samples[0];
        using var start = new ManualResetEventSlim();

        var requests = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await fixture.InvokeAndCheckAsync(sample);
        })).ToArray();
        start.Set();
        var outcomes = await Task.WhenAll(requests);
        await fixture.SettledAsync();

        Assert.Equal(1, fixture.Disk.Stagings);
        Assert.Equal(1, fixture.Runtime.Loads);
        Assert.Equal(1, fixture.Cache.Counters.Loads);
        Assert.Equal(64, outcomes.Length);
        Assert.Contains(CacheOutcome.Miss, outcomes);
        Assert.Equal(0, fixture.Cache.Counters.OutstandingLeases);
    }

    [Fact]
    public async Task A_budget_for_three_of_ten_evicts_idle_models_least_recently_used_first()
    {
        using var fixture = new CacheFixture(models: 10, modelBytes: 50_000, budget: one => one * 3);
        var outcomes = new List<CacheOutcome>();

        for (var round = 0; round < 2; round++)
        {
            foreach (var sample in fixture.Samples)
            {
                outcomes.Add(await fixture.InvokeAndCheckAsync(sample));
                await fixture.SettledAsync();
                Assert.InRange(fixture.Cache.Counters.AccountedBytes, 0, fixture.Budget);
                Assert.InRange(fixture.Cache.Counters.LoadedModels, 1, 3);
            }
        }

        Assert.All(outcomes.Take(10), o => Assert.Equal(CacheOutcome.Miss, o));
        Assert.All(outcomes.Skip(10), o => Assert.Equal(CacheOutcome.Disk, o));
        Assert.Equal(10, fixture.Disk.Stagings);
        Assert.Equal(17, fixture.Cache.Counters.Evictions);
        Assert.Equal(20, fixture.Runtime.Loads);
        Assert.Equal(17, fixture.Runtime.Disposed);

        // The three most recently used stay: invoking them again is a hit.
        foreach (var sample in fixture.Samples.Skip(7))
        {
            Assert.Equal(CacheOutcome.Hit, await fixture.InvokeAndCheckAsync(sample));
        }
    }

    [Fact]
    public async Task A_model_in_use_is_never_evicted()
    {
        using var fixture = new CacheFixture(models: 3, modelBytes: 50_000, budget: one => one * 2);
        using var held = await fixture.Cache.AcquireAsync(fixture.Samples[0].Name, CancellationToken.None);

        await fixture.InvokeAndCheckAsync(fixture.Samples[1]);
        await fixture.InvokeAndCheckAsync(fixture.Samples[2]);

        Assert.True(fixture.Cache.IsLoaded(fixture.Samples[0].Name));
        Assert.False(fixture.Cache.IsLoaded(fixture.Samples[1].Name));
        using var inputs = SampleAssert.Inputs(fixture.Samples[0]);
        using var outputs = held.Model.Run(inputs);
        SampleAssert.Matches(fixture.Samples[0], outputs);
    }

    [Fact]
    public async Task Soak_eight_threads_ten_thousand_requests_twelve_models_budget_for_two()
    {
        using var fixture = new CacheFixture(models: 12, modelBytes: 10_000, budget: one => one * 2);
        var errors = new List<Exception>();
        var completed = 0;
        var hits = 0;
        const int Threads = 8;
        const int RequestsPerThread = 10_000 / Threads;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        var workers = Enumerable.Range(0, Threads).Select(thread => Task.Run(async () =>
        {
            var random = new Random(thread);
            for (var i = 0; i < RequestsPerThread && !timeout.IsCancellationRequested; i++)
            {
                // Skewed choice: a few hot models and a long tail, so hits and evictions both happen.
                var index = random.Next(3) == 0 ? random.Next(12) : random.Next(3);
                try
                {
                    if (await fixture.InvokeAndCheckAsync(fixture.Samples[index]) == CacheOutcome.Hit)
                    {
                        Interlocked.Increment(ref hits);
                    }

                    Interlocked.Increment(ref completed);
                }
                catch (Exception e)
                {
                    lock (errors)
                    {
                        errors.Add(e);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.False(timeout.IsCancellationRequested, "the soak did not finish in its time bound");
        await fixture.SettledAsync();
        Assert.Empty(errors);
        var counters = fixture.Cache.Counters;
        Assert.Equal(10_000, completed);
        Assert.Equal(hits, counters.Hits);
        Assert.InRange(counters.Loads, 12, 10_000 - hits);
        Assert.Equal(0, counters.OutstandingLeases);
        Assert.Equal(0, fixture.Runtime.DisposedWhileRunning);
        Assert.InRange(counters.AccountedBytes, 0, fixture.Budget);
        Assert.True(counters.Evictions > 0);
        Assert.Equal(12, fixture.Disk.Stagings);
    }

    [Fact]
    public async Task A_corrupt_model_fails_with_its_name_and_cause_and_is_not_loaded_again_until_it_changes()
    {
        using var fixture = new CacheFixture(models: 1, modelBytes: 10_000, budget: one => one * 4, failureMemory: TimeSpan.FromSeconds(30), useSystemClock: false);
        var path = Path.Combine(fixture.ModelFolder, "broken.onnx");
        await File.WriteAllBytesAsync(path, [1, 2, 3, 4, 5, 6, 7, 8]);

        var first = await Assert.ThrowsAsync<ModelHostException>(() => fixture.Cache.AcquireAsync("broken.onnx", CancellationToken.None).AsTask());
        var second = await Assert.ThrowsAsync<ModelHostException>(() => fixture.Cache.AcquireAsync("broken.onnx", CancellationToken.None).AsTask());

        Assert.Equal(FailureKind.ModelFailed, first.Kind);
        Assert.Contains("broken.onnx", first.Message, StringComparison.Ordinal);
        Assert.Contains("ONNX Runtime rejected the model", first.Message, StringComparison.Ordinal);
        Assert.Equal(first.Message, second.Message);
        Assert.Equal(1, fixture.Runtime.Loads);

        // Past the failure memory, the same bytes are tried again.
        fixture.Time.Advance(TimeSpan.FromSeconds(31));
        await Assert.ThrowsAsync<ModelHostException>(() => fixture.Cache.AcquireAsync("broken.onnx", CancellationToken.None).AsTask());
        Assert.Equal(2, fixture.Runtime.Loads);

        // A fixed artifact is picked up at once, without waiting for the failure to be forgotten.
        var fixedModel = SampleModelFactory.Create(0, 10_000);
        await File.WriteAllBytesAsync(path, fixedModel.Onnx);
        using var lease = await fixture.Cache.AcquireAsync("broken.onnx", CancellationToken.None);
        Assert.Equal(CacheOutcome.Miss, lease.Outcome);
        Assert.Equal(3, fixture.Runtime.Loads);
    }

    [Fact]
    public async Task A_model_larger_than_the_budget_is_refused_clearly()
    {
        using var fixture = new CacheFixture(models: 1, modelBytes: 200_000, budget: one => one / 2);

        var error = await Assert.ThrowsAsync<ModelHostException>(() => fixture.Cache.AcquireAsync(fixture.Samples[0].Name, CancellationToken.None).AsTask());

        Assert.Equal(FailureKind.InsufficientMemory, error.Kind);
        Assert.Contains("more than the whole memory budget", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Runtime.Loads);
    }

    [Fact]
    public async Task An_unknown_model_names_where_it_was_looked_for()
    {
        using var fixture = new CacheFixture(models: 0, modelBytes: 10_000, budget: _ => 1 << 20);

        var error = await Assert.ThrowsAsync<ModelHostException>(() => fixture.Cache.AcquireAsync("missing/model.onnx", CancellationToken.None).AsTask());

        Assert.Equal(FailureKind.ArtifactNotFound, error.Kind);
        Assert.Contains("(key: missing/model.onnx)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.ModelFolder, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unloading_a_model_in_use_frees_it_when_the_last_request_ends()
    {
        using var fixture = new CacheFixture(models: 1, modelBytes: 10_000, budget: one => one * 4);
        var name = fixture.Samples[0].Name;
        var lease = await fixture.Cache.AcquireAsync(name, CancellationToken.None);

        Assert.True(fixture.Cache.Unload(name));
        Assert.False(fixture.Cache.IsLoaded(name));
        Assert.Equal(0, fixture.Runtime.Disposed);

        // No longer the policy's to choose, though its bytes stay accounted while the request runs.
        Assert.Equal(0, fixture.Cache.Policy.Count);
        Assert.True(fixture.Cache.Counters.AccountedBytes > 0);
        using (var inputs = SampleAssert.Inputs(fixture.Samples[0]))
        using (var outputs = lease.Model.Run(inputs))
        {
            SampleAssert.Matches(fixture.Samples[0], outputs);
        }

        lease.Dispose();
        Assert.Equal(1, fixture.Runtime.Disposed);
        Assert.Equal(0, fixture.Cache.Counters.AccountedBytes);
        Assert.False(fixture.Cache.Unload(name));
    }

    [Fact]
    public async Task Pinned_models_are_never_evicted_and_a_load_that_needs_their_room_is_refused()
    {
        using var fixture = new CacheFixture(models: 3, modelBytes: 50_000, budget: one => one * 2);
        foreach (var sample in fixture.Samples.Take(2))
        {
            await fixture.InvokeAndCheckAsync(sample);
            Assert.True(fixture.Cache.Pin(sample.Name, pinned: true));
        }

        var error = await Assert.ThrowsAsync<ModelHostException>(() => fixture.Cache.AcquireAsync(fixture.Samples[2].Name, CancellationToken.None).AsTask());

        Assert.Equal(FailureKind.InsufficientMemory, error.Kind);
        Assert.Contains("in use or pinned", error.Message, StringComparison.Ordinal);
        Assert.True(fixture.Cache.IsLoaded(fixture.Samples[0].Name));
        Assert.True(fixture.Cache.Pin(fixture.Samples[0].Name, pinned: false));
        Assert.Equal(CacheOutcome.Miss, await fixture.InvokeAndCheckAsync(fixture.Samples[2]));
        Assert.False(fixture.Cache.IsLoaded(fixture.Samples[0].Name));
        Assert.True(fixture.Cache.IsLoaded(fixture.Samples[1].Name));
    }

    [Theory]
    [InlineData("lru")]
    [InlineData("gdsf")]
    [InlineData("tinylfu")]
    public async Task The_hit_path_allocates_nothing(string policy)
    {
        using var fixture = new CacheFixture(models: 2, modelBytes: 10_000, budget: one => one * 4, policy: policy);
        var name = fixture.Samples[0].Name;
        await fixture.InvokeAndCheckAsync(fixture.Samples[0]);
        for (var i = 0; i < 100; i++)
        {
            (await fixture.Cache.AcquireAsync(name, CancellationToken.None)).Dispose();
        }

        var hits = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            // Asserts stay outside the measured loop (xunit's allocate); a hit completes synchronously.
            var acquiring = fixture.Cache.AcquireAsync(name, CancellationToken.None);
            if (!acquiring.IsCompletedSuccessfully)
            {
                break;
            }

            using var lease = await acquiring;
            hits += lease.Outcome == CacheOutcome.Hit ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1_000, hits);
        Assert.Equal(0, allocated);
        Assert.Equal(1_100, fixture.Cache.Counters.Hits);
    }

    [Fact]
    public async Task Gdsf_keeps_the_model_that_is_slow_to_load_where_lru_would_evict_it()
    {
        using var fixture = new CacheFixture(models: 3, modelBytes: 50_000, budget: one => one * 2, policy: "gdsf");
        var slow = fixture.Samples[0];
        fixture.Runtime.LoadDelay = TimeSpan.FromMilliseconds(300);
        await fixture.InvokeAndCheckAsync(slow);
        fixture.Runtime.LoadDelay = TimeSpan.Zero;
        await fixture.InvokeAndCheckAsync(fixture.Samples[1]);

        // LRU would now evict the slow model (least recently used); GDSF evicts the cheap one.
        await fixture.InvokeAndCheckAsync(fixture.Samples[2]);

        Assert.True(fixture.Cache.IsLoaded(slow.Name));
        Assert.False(fixture.Cache.IsLoaded(fixture.Samples[1].Name));
        Assert.Equal("gdsf", fixture.Cache.EvictionPolicy);
    }

    [Fact]
    public async Task Loads_of_different_models_never_exceed_the_load_concurrency()
    {
        // The fixture allows two loads at once.
        using var fixture = new CacheFixture(models: 8, modelBytes: 10_000, budget: one => one * 8);
        fixture.Runtime.LoadDelay = TimeSpan.FromMilliseconds(100);

        await Task.WhenAll(fixture.Samples.Select(sample => Task.Run(() => fixture.InvokeAndCheckAsync(sample))));

        Assert.Equal(8, fixture.Runtime.Loads);
        Assert.Equal(2, fixture.Runtime.MaxConcurrentLoads);
    }

    [Fact]
    public async Task A_load_from_a_store_that_stops_sending_fails_at_the_load_timeout_and_frees_its_slot_memory_and_disk()
    {
        var stalledName = SampleModelFactory.Create(0, 50_000).Name;
        StallingStore? stalling = null;
        using var fixture = new CacheFixture(models: 2, modelBytes: 50_000, budget: one => one * 4, loadTimeout: TimeSpan.FromSeconds(3), loadSlots: 1,
            store: folder => stalling = new StallingStore(folder, 1000, key => key == stalledName));

        var error = await Assert.ThrowsAsync<ModelHostException>(() => fixture.Cache.AcquireAsync(stalledName, CancellationToken.None).AsTask());

        Assert.Equal(FailureKind.StoreUnavailable, error.Kind);
        Assert.Contains("within 3 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, stalling!.Stalled);

        // The only load slot is free again, and the abandoned download gave back its reservation and folder.
        Assert.Equal(CacheOutcome.Miss, await fixture.InvokeAndCheckAsync(fixture.Samples[1]));
        for (var i = 0; i < 300 && fixture.Disk.ReservedBytes != 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, fixture.Disk.ReservedBytes);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(fixture.CacheFolder, "staging")));
        Assert.Equal(fixture.Cache.Describe(fixture.Samples[1].Name)!.Bytes, fixture.Cache.Counters.AccountedBytes);
        Assert.False(fixture.Cache.IsLoaded(stalledName));
    }
}
