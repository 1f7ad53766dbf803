using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenMme.DiskTier;
using OpenMme.MemoryTier;
using OpenMme.Runtime.Onnx;
using OpenMme.Samples;
using OpenMme.Store;

namespace OpenMme.TestSupport;

/// <summary>A memory tier over real parts: a model folder of samples, a disk tier and ONNX Runtime.</summary>
public sealed class CacheFixture : IDisposable
{
    private readonly TempDirectory _root = new();

    public CacheFixture(int models, long modelBytes, Func<long, long> budget, TimeSpan? failureMemory = null, bool useSystemClock = true, string policy = "lru",
        long diskBudget = 0, TimeSpan? loadTimeout = null, int loadSlots = 2, Func<IModelStore, IModelStore>? store = null, TimeSpan? capacityWait = null)
    {
        ModelFolder = _root.Combine("models");
        CacheFolder = _root.Combine("cache");
        Samples = [];
        for (var i = 0; i < models; i++)
        {
            Samples.Add(SampleModelFactory.Create(i, modelBytes));
        }

        foreach (var sample in Samples)
        {
            Directory.CreateDirectory(ModelFolder);
            File.WriteAllBytes(Path.Combine(ModelFolder, sample.Name), sample.Onnx);
        }

        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        TimeProvider clock = useSystemClock ? TimeProvider.System : Time;
        Folder = new LocalFolderStore(ModelFolder);
        Store = store?.Invoke(Folder) ?? Folder;
        var timeout = loadTimeout ?? TimeSpan.FromSeconds(360);
        Disk = new DiskTier.DiskTier(new DiskTierOptions(CacheFolder, diskBudget, ArchiveLimits.Default) { DownloadTimeout = timeout }, clock,
            NullLogger<DiskTier.DiskTier>.Instance);
        Runtime = new TrackingRuntime(new OnnxModelRuntime(new OnnxRuntimeOptions()));
        var largest = Samples.Count == 0 ? 0 : Samples.Max(s => s.Onnx.Length);
        Budget = budget(ModelFootprint.Estimate(largest));
        Cache = new ModelCache(
            new ModelCacheOptions(Budget, loadSlots, failureMemory ?? TimeSpan.FromSeconds(10), capacityWait ?? TimeSpan.FromSeconds(2)) { EvictionPolicy = policy, LoadTimeout = timeout },
            Store, Disk, Runtime, clock, NullLogger<ModelCache>.Instance);
    }

    public string ModelFolder { get; }

    public string CacheFolder { get; }

    public List<SampleModel> Samples { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>The model folder as a store.</summary>
    public LocalFolderStore Folder { get; }

    /// <summary>The store the cache loads from: the folder, or what the test wrapped it in.</summary>
    public IModelStore Store { get; }

    public DiskTier.DiskTier Disk { get; }

    public TrackingRuntime Runtime { get; }

    public long Budget { get; }

    public ModelCache Cache { get; }

    public async Task<CacheOutcome> InvokeAndCheckAsync(SampleModel sample)
    {
        using var lease = await Cache.AcquireAsync(sample.Name, CancellationToken.None);
        using var inputs = SampleAssert.Inputs(sample);
        using var outputs = lease.Model.Run(inputs);
        SampleAssert.Matches(sample, outputs);
        return lease.Outcome;
    }

    /// <summary>Waits (bounded) until models loaded straight from the folder have their copies in the disk tier.</summary>
    public async Task SettledAsync()
    {
        for (var i = 0; i < 500 && Cache.PendingBackgroundWork > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, Cache.PendingBackgroundWork);
    }

    public void Dispose()
    {
        Cache.Dispose();
        _root.Dispose();
    }
}
