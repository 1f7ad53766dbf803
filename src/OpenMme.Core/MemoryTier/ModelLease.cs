using OpenMme.Runtime;

namespace OpenMme.MemoryTier;

/// <summary>
/// The right to run one model while it is held: a leased model is never evicted. Dispose exactly once.
/// </summary>
public readonly struct ModelLease : IDisposable
{
    private readonly ModelCache _cache;
    private readonly CachedModel _entry;

    internal ModelLease(ModelCache cache, CachedModel entry, CacheOutcome outcome)
    {
        _cache = cache;
        _entry = entry;
        Outcome = outcome;
    }

    /// <summary>Where the model was found.</summary>
    public CacheOutcome Outcome { get; }

    /// <summary>The model's name.</summary>
    public string Name => _entry.Name;

    /// <summary>The loaded model.</summary>
    public ILoadedModel Model => _entry.Model;

    /// <inheritdoc />
    public void Dispose() => _cache?.Release(_entry);
}
