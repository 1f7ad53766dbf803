using OpenMme.Failures;
using OpenMme.Samples;
using OpenMme.TestSupport;
using Xunit.Sdk;

namespace OpenMme.MemoryTier;

/// <summary>
/// Every operation of the memory tier at once, for a bounded time: invocations by key, loads under
/// aliases, unloads (also of models still loading), pins, watchdog evictions and leases disposed
/// twice, over a memory budget for 5 of 16 models and a disk budget for 8. Ends with an integrity
/// check of everything the tier accounts for.
/// </summary>
public sealed class ModelCacheSoakTests
{
    private const int Models = 16;
    private const int Workers = 8;
    private const int MaxOperationsPerWorker = 3_000;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    [Theory]
    [InlineData("lru")]
    [InlineData("gdsf")]
    [InlineData("tinylfu")]
    public async Task Loads_aliases_unloads_pins_watchdog_evictions_and_invocations_keep_the_accounts_exact(string policy)
    {
        var modelBytes = SampleModelFactory.Create(0, 20_000).Onnx.Length;
        // A load that finds everything pinned or in use gives up after 100 ms, so pins cannot stall the workers.
        using var fixture = new CacheFixture(Models, 20_000, budget: one => one * 5, diskBudget: 8L * (modelBytes + 8192),
            capacityWait: TimeSpan.FromMilliseconds(100), policy: policy);
        var cache = fixture.Cache;
        var errors = new List<Exception>();
        var refusals = 0;
        var operations = 0;
        using var stop = new CancellationTokenSource(Duration);

        var workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var i = 0; i < MaxOperationsPerWorker && !stop.IsCancellationRequested; i++)
            {
                var index = random.Next(Models);
                try
                {
                    await RunOneAsync(fixture, random, index);
                    Interlocked.Increment(ref operations);
                }
                catch (ModelHostException e) when (e.Kind is FailureKind.InsufficientMemory or FailureKind.ModelAlreadyLoaded or FailureKind.ModelNotLoaded)
                {
                    // Refusals a user can meet under this pressure: everything pinned or in use, a name taken.
                    Interlocked.Increment(ref refusals);
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

        Assert.Empty(errors);
        Assert.True(operations > Workers * 20, $"only {operations} operations ran ({refusals} refusals)");

        // Integrity, at rest: every lease returned, the budget equal to what is loaded, every loaded
        // model holding exactly its artifact, nothing reserved, no session disposed under a request.
        foreach (var model in cache.List())
        {
            cache.Pin(model.Name, pinned: false);
        }

        await fixture.SettledAsync();
        var counters = cache.Counters;
        var loaded = cache.List();
        Assert.Equal(0, counters.OutstandingLeases);
        Assert.Equal(loaded.Sum(m => m.Bytes), counters.AccountedBytes);
        Assert.InRange(counters.AccountedBytes, 0, fixture.Budget);
        Assert.Equal(loaded.Count, counters.LoadedModels);
        Assert.Equal(loaded.Count, cache.Policy.Count);
        Assert.Equal(counters.AccountedBytes, cache.Policy.Bytes);
        Assert.Equal(loaded.Count, fixture.Runtime.Loads - fixture.Runtime.Disposed);
        Assert.Equal(0, fixture.Runtime.DisposedWhileRunning);
        Assert.Equal(loaded.Count, fixture.Disk.Handles);
        Assert.Equal(0, fixture.Disk.ReservedBytes);
        Assert.Equal(FolderBytes(Path.Combine(fixture.CacheFolder, "artifacts")), fixture.Disk.UsedBytes);
        Assert.True(counters.Evictions > 0 && counters.Unloads > 0,
            $"evictions {counters.Evictions}, unloads {counters.Unloads}, operations {operations}, refusals {refusals}");

        // Every model still answers correctly, by key and under every alias still loaded.
        foreach (var sample in fixture.Samples)
        {
            await fixture.InvokeAndCheckAsync(sample);
        }

        foreach (var model in cache.List())
        {
            using var lease = cache.TryAcquireLoaded(model.Name) ?? throw new XunitException($"{model.Name} left memory at rest");
            var sample = fixture.Samples.Single(s => s.Name == model.Key);
            using var inputs = SampleAssert.Inputs(sample);
            using var outputs = lease.Model.Run(inputs);
            SampleAssert.Matches(sample, outputs);
        }

        Assert.Equal(0, cache.Counters.OutstandingLeases);
    }

    private static async Task RunOneAsync(CacheFixture fixture, Random random, int index)
    {
        var cache = fixture.Cache;
        var sample = fixture.Samples[index];
        var alias = $"alias-{index}";
        switch (random.Next(100))
        {
            case < 55:
                var lease = await cache.AcquireAsync(sample.Name, CancellationToken.None);
                Check(sample, lease);
                lease.Dispose();
                if (random.Next(10) == 0)
                {
                    lease.Dispose();
                }

                break;
            case < 70:
                await cache.LoadAsync(alias, sample.Name, pinned: random.Next(8) == 0, requestId: null, CancellationToken.None);
                using (var aliased = cache.TryAcquireLoaded(alias) ?? throw new ModelHostException(FailureKind.ModelNotLoaded, alias))
                {
                    Check(sample, aliased);
                }

                break;
            case < 80:
                await cache.UnloadAsync(random.Next(2) == 0 ? alias : sample.Name, requestId: null, CancellationToken.None);
                break;
            case < 88:
                cache.Pin(random.Next(2) == 0 ? alias : sample.Name, pinned: random.Next(3) == 0);
                break;
            default:
                // What the resident-memory watchdog does when the process grows past its limit.
                cache.EvictForMemoryPressure(random.Next(1, 3) * (long)sample.Onnx.Length * 2, "rss");
                break;
        }
    }

    private static void Check(SampleModel sample, ModelLease lease)
    {
        using var inputs = SampleAssert.Inputs(sample);
        using var outputs = lease.Model.Run(inputs);
        SampleAssert.Matches(sample, outputs);
    }

    private static long FolderBytes(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
}
