using OpenMme.Runtime;

namespace OpenMme.MemoryTier;

/// <summary>
/// The right to run one model while it is held: a leased model is never evicted. Disposing a
/// lease a second time, or through a copy, does nothing; a released lease no longer gives access
/// to the model.
/// </summary>
public readonly struct ModelLease : IDisposable
{
    private readonly LeaseToken? _token;
    private readonly int _generation;

    internal ModelLease(LeaseToken token, int generation, CacheOutcome outcome)
    {
        _token = token;
        _generation = generation;
        Outcome = outcome;
    }

    /// <summary>Where the model was found.</summary>
    public CacheOutcome Outcome { get; }

    /// <summary>The model's name.</summary>
    public string Name => Entry.Name;

    /// <summary>The loaded model.</summary>
    public ILoadedModel Model => Entry.Model;

    private CachedModel Entry => _token?.EntryFor(_generation) ?? throw new ObjectDisposedException(nameof(ModelLease), "The lease was released.");

    /// <inheritdoc />
    public void Dispose() => _token?.End(_generation);
}
