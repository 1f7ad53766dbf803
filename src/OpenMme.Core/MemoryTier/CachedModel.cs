using OpenMme.Concurrency;
using OpenMme.DiskTier;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Runtime;
using OpenMme.Store;

namespace OpenMme.MemoryTier;

/// <summary>
/// One model name in the memory tier, from the start of its load until it leaves memory: its
/// store key, its load's completion and, once loaded, the model with a reference count.
/// Count -2 means loading (no lease yet), -1 gone (evicted, unloaded or failed; no lease can be
/// taken, and the one thread that moved it from 0 to -1 disposes it), 0 and up loaded.
/// Requests that join a load are counted, and the load publishes the model with one reference
/// for each: a model cannot be evicted between its load and the leases of those who waited for it.
/// </summary>
internal sealed class CachedModel(string name, string key, bool pinned, ModelStatistics statistics) : EvictionEntry(name, statistics)
{
    private const int Loading = -2;
    private const int Gone = -1;

    private readonly TaskCompletionSource<CacheOutcome> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _joining = new();
    private int _references = Loading;
    private int _joined;
    private bool _released;
    private ILoadedModel? _model;
    private ArtifactHandle? _artifact;
    private int _retired;
    private int _pinned = pinned ? 1 : 0;

    /// <summary>The store key the model loads from (its registration, for names loaded under an alias).</summary>
    public string Key { get; } = key;

    /// <summary>Completes when the load ends: with where the model came from, or with the load's failure.</summary>
    public Task<CacheOutcome> Loaded => _loaded.Task;

    public bool IsLoading => Volatile.Read(ref _references) == Loading;

    /// <summary>Loaded, not yet evicted or unloaded.</summary>
    public bool IsLive => Volatile.Read(ref _references) >= 0;

    public ILoadedModel Model => _model!;

    /// <summary>The artifact version the model was loaded from.</summary>
    public ArtifactVersion Version { get; private set; }

    /// <summary>Bytes of the model's files (what its memory estimate started from).</summary>
    public long ContentBytes { get; private set; }

    /// <summary>True once the model holds its staged artifact on disk (a model loaded straight from a local folder holds it once the copy is made).</summary>
    public bool HoldsArtifact => Volatile.Read(ref _artifact) is not null;

    public DateTimeOffset LoadedAt { get; private set; }

    public TimeSpan LoadTime { get; private set; }

    public int References => Volatile.Read(ref _references);

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    public bool IsPinned
    {
        get => Volatile.Read(ref _pinned) != 0;
        set => Volatile.Write(ref _pinned, value ? 1 : 0);
    }

    public override bool IsEvictable => References == 0 && !IsPinned;

    /// <summary>
    /// Makes the loaded model leasable. Call once it is admitted (<see cref="ResidentSet.Admit"/>), whose
    /// use of it as a request means a model loaded ahead of use is not the first to be evicted.
    /// </summary>
    public void Publish(ILoadedModel model, ArtifactHandle? artifact, ArtifactVersion version, long contentBytes, DateTimeOffset loadedAt,
        TimeSpan loadTime, CacheOutcome outcome)
    {
        _model = model;
        _artifact = artifact;
        Version = version;
        ContentBytes = contentBytes;
        LoadedAt = loadedAt;
        LoadTime = loadTime;

        // The write that makes the entry leasable comes last: a thread that can lease sees every field above.
        lock (_joining)
        {
            Interlocked.Exchange(ref _references, _joined);
        }

        _loaded.SetResult(outcome);
    }

    /// <summary>Ends a load that failed: nothing can be leased, and every waiter gets <paramref name="failure"/>.</summary>
    public void Fail(Exception failure)
    {
        lock (_joining)
        {
            Interlocked.Exchange(ref _references, Gone);
        }

        _loaded.SetException(failure);

        // Waiters may all have given up; the failure is reported to those that remain, not to the finalizer.
        _ = _loaded.Task.Exception;
    }

    /// <summary>Gives a published model its hold on the staged artifact; false (the caller disposes the handle) once the model is gone.</summary>
    public bool AttachArtifact(ArtifactHandle artifact)
    {
        lock (_joining)
        {
            if (_released || _artifact is not null)
            {
                return false;
            }

            Volatile.Write(ref _artifact, artifact);
            return true;
        }
    }

    /// <summary>Releases the model and its hold on the artifact. Only the thread that began the eviction calls this.</summary>
    public void DisposeModel()
    {
        _model?.Dispose();
        ArtifactHandle? artifact;
        lock (_joining)
        {
            _released = true;
            artifact = _artifact;
        }

        artifact?.Dispose();
    }

    /// <summary>Joins the load while it runs: its publication then holds a reference for the caller. False once the load has ended.</summary>
    public bool TryJoin()
    {
        lock (_joining)
        {
            if (Volatile.Read(ref _references) != Loading)
            {
                return false;
            }

            _joined++;
            return true;
        }
    }

    /// <summary>A joined caller gives up waiting. True when the load had already published its reference, which the caller must now release.</summary>
    public bool Leave()
    {
        lock (_joining)
        {
            if (Volatile.Read(ref _references) == Loading)
            {
                _joined--;
                return false;
            }
        }

        return _loaded.Task.IsCompletedSuccessfully;
    }

    public bool TryAddReference() => ReferenceCount.TryAdd(ref _references);

    public int Release() => Interlocked.Decrement(ref _references);

    public override bool TryBeginEviction() => Interlocked.CompareExchange(ref _references, Gone, 0) == 0;

    public void Retire() => Volatile.Write(ref _retired, 1);
}
