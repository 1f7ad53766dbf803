using OpenMme.DiskTier;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Runtime;
using OpenMme.Store;

namespace OpenMme.MemoryTier;

/// <summary>
/// A loaded model with a reference count. Count -1 means evicted: no new lease can be taken,
/// and the one thread that moved it from 0 to -1 disposes it.
/// </summary>
internal sealed class CachedModel(string name, StagedArtifact artifact, ILoadedModel model, long bytes, DateTimeOffset loadedAt, TimeSpan loadTime,
    ModelStatistics statistics)
{
    private int _references;
    private long _lastUse;
    private long _inflationBits;
    private int _retired;
    private int _pinned;

    public string Name { get; } = name;

    public StagedArtifact Artifact { get; } = artifact;

    public ArtifactVersion Version => Artifact.Version;

    public ILoadedModel Model { get; } = model;

    public long Bytes { get; } = bytes;

    public DateTimeOffset LoadedAt { get; } = loadedAt;

    public TimeSpan LoadTime { get; } = loadTime;

    public ModelStatistics Statistics { get; } = statistics;

    public long LastUse => Volatile.Read(ref _lastUse);

    public int References => Volatile.Read(ref _references);

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    public bool IsPinned
    {
        get => Volatile.Read(ref _pinned) != 0;
        set => Volatile.Write(ref _pinned, value ? 1 : 0);
    }

    // Frequency counts every request for the model since the instance started, not only those since
    // this load: a popular model that was just reloaded must not look like a one-off.
    public EvictionCandidate Candidate => new(LastUse, Statistics.Hits + Statistics.Misses, LoadTime.TotalSeconds, Bytes,
        BitConverter.Int64BitsToDouble(Interlocked.Read(ref _inflationBits)));

    public bool TryAddReference()
    {
        var seen = Volatile.Read(ref _references);
        while (seen >= 0)
        {
            var previous = Interlocked.CompareExchange(ref _references, seen + 1, seen);
            if (previous == seen)
            {
                return true;
            }

            seen = previous;
        }

        return false;
    }

    public int Release() => Interlocked.Decrement(ref _references);

    public bool TryBeginEviction() => Interlocked.CompareExchange(ref _references, -1, 0) == 0;

    public void Retire() => Volatile.Write(ref _retired, 1);

    public void RecordUse(long clock, double inflation, bool hit)
    {
        Volatile.Write(ref _lastUse, clock);
        Volatile.Write(ref _inflationBits, BitConverter.DoubleToInt64Bits(inflation));
        if (hit)
        {
            Statistics.Hit();
        }
    }
}
