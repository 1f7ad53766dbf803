using OpenMme.Concurrency;
namespace OpenMme.DiskTier;

/// <summary>
/// One complete artifact in the cache folder with a count of the handles on it. Count -1 means
/// deleted: no handle can be taken any more, and only the one caller that moved it from 0 to -1
/// deletes its files. An artifact with handles is never deleted.
/// </summary>
internal sealed class ArtifactSlot(string id, StagedArtifact artifact, long stagedAt, long lastUse)
{
    private int _references;
    private long _lastUse = lastUse;

    public string Id { get; } = id;

    public StagedArtifact Artifact { get; } = artifact;

    /// <summary>Order of staging: of two versions of one key, the later one is the newer.</summary>
    public long StagedAt { get; } = stagedAt;

    public long LastUse => Volatile.Read(ref _lastUse);

    public int References => Volatile.Read(ref _references);

    public bool IsHeld => References > 0;

    public void Touch(long timestamp) => Volatile.Write(ref _lastUse, timestamp);

    public bool TryAddReference() => ReferenceCount.TryAdd(ref _references);

    /// <summary>Drops one handle; returns the handles left.</summary>
    public int Release() => Interlocked.Decrement(ref _references);

    public bool TryBeginDelete() => Interlocked.CompareExchange(ref _references, -1, 0) == 0;
}
