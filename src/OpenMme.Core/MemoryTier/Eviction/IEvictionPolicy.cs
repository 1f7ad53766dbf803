namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// Decides which idle models leave memory, and in what order. Policies are chosen by name
/// (<see cref="EvictionPolicies"/>) and hold the resident models in their own structures; pinned
/// and in-use models are never chosen. Every member except <see cref="Inflation"/> is called
/// under the memory budget's lock; the hit path only touches the entry (<see cref="EvictionEntry.Touch"/>).
/// </summary>
internal interface IEvictionPolicy
{
    /// <summary>The policy's name (<c>lru</c>, <c>gdsf</c>, <c>tinylfu</c>).</summary>
    string Name { get; }

    /// <summary>The aging value recorded with each use (GDSF's L; 0 where unused). Read on the hit path.</summary>
    double Inflation { get; }

    /// <summary>Models the policy holds.</summary>
    int Count { get; }

    /// <summary>Bytes of the models the policy holds.</summary>
    long Bytes { get; }

    /// <summary>A model was loaded and is now resident (its load counts as one request for it).</summary>
    void Admitted(EvictionEntry entry);

    /// <summary>A model left memory other than by this policy's choice (an unload); nothing if the policy no longer holds it.</summary>
    void Removed(EvictionEntry entry);

    /// <summary>A held model's accounted bytes changed by <paramref name="change"/> (its measured footprint replaced the estimate).</summary>
    void Resized(EvictionEntry entry, long change);

    /// <summary>
    /// Chooses idle models to evict until at least <see cref="EvictionRequest.BytesToFree"/> are
    /// freed, claims each (<see cref="EvictionEntry.TryBeginEviction"/>), lets go of it and adds it to
    /// <paramref name="victims"/>. Fewer may be chosen when too few are idle.
    /// </summary>
    void SelectVictims(in EvictionRequest request, List<EvictionEntry> victims);
}
