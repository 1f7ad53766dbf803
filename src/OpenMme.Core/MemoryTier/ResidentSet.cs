using OpenMme.MemoryTier.Eviction;

namespace OpenMme.MemoryTier;

/// <summary>
/// The memory tier's decisions about which models stay in memory: a use of a model, the room a
/// load reserves by evicting idle models in the policy's order, a model's admission once loaded,
/// its removal and its change of size, all accounted against the byte budget. The memory tier
/// (<see cref="ModelCache"/>) and the planner's simulation (<c>openmme plan</c>) both make their
/// decisions here, in the same order of calls, so a plan replays exactly what an instance decides.
/// </summary>
/// <remarks>
/// <see cref="Hit"/> and <see cref="Use"/> run on the hit path: lock-free, allocation-free. Every
/// other member is called with <see cref="MemoryBudget.Sync"/> held.
/// </remarks>
internal sealed class ResidentSet(IEvictionPolicy policy, MemoryBudget budget)
{
    private long _clock;
    private long _hits;
    private long _admissions;

    public ResidentSet(string policy, long capacityBytes)
        : this(EvictionPolicies.Create(policy, capacityBytes), new MemoryBudget(capacityBytes))
    {
    }

    public MemoryBudget Budget { get; } = budget;

    public IEvictionPolicy Policy { get; } = policy;

    /// <summary>Requests answered by a model already in memory.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Requests so far: hits and loads.</summary>
    public long Requests => Hits + Interlocked.Read(ref _admissions);

    /// <summary>A request found the model in memory.</summary>
    public void Hit(EvictionEntry entry)
    {
        entry.Touch(Interlocked.Increment(ref _clock), Policy.Inflation);
        entry.Statistics.Hit();
        Interlocked.Increment(ref _hits);
    }

    /// <summary>A request got a model it waited for (a load it started or joined).</summary>
    public void Use(EvictionEntry entry) => entry.Touch(Interlocked.Increment(ref _clock), Policy.Inflation);

    /// <summary>
    /// Accounts <paramref name="bytes"/> for a load, first evicting idle models in the policy's
    /// order if they do not fit. Evicted models are unaccounted and added to
    /// <paramref name="evicted"/>, for the caller to release once the lock is let go. False, with
    /// nothing reserved, when even then they do not fit.
    /// </summary>
    public bool TryReserve(long bytes, List<EvictionEntry> evicted)
    {
        var excess = Budget.Accounted + bytes - Budget.Capacity;
        if (excess > 0)
        {
            Evict(excess, bytes, evicted);
        }

        if (!Budget.Fits(bytes))
        {
            return false;
        }

        Budget.Add(bytes);
        return true;
    }

    /// <summary>Evicts idle models until about <paramref name="bytes"/> are freed (memory pressure); returns the bytes freed.</summary>
    public long Evict(long bytes, List<EvictionEntry> evicted) => Evict(bytes, incoming: 0, evicted);

    /// <summary>A loaded model, accounted at <see cref="EvictionEntry.Bytes"/> from its reservation, becomes resident.</summary>
    public void Admit(EvictionEntry entry)
    {
        entry.Touch(Interlocked.Increment(ref _clock), Policy.Inflation);
        Interlocked.Increment(ref _admissions);
        entry.Statistics.Miss();
        Policy.Admitted(entry);
    }

    /// <summary>A model leaves the policy's care other than by eviction (an unload); its bytes stay accounted until <see cref="Release"/>.</summary>
    public void Remove(EvictionEntry entry) => Policy.Removed(entry);

    /// <summary>A model's memory is given back: out of the policy and unaccounted.</summary>
    public void Release(EvictionEntry entry)
    {
        Policy.Removed(entry);
        Budget.Add(-entry.Bytes);
    }

    /// <summary>A resident model is accounted at <paramref name="bytes"/> from now on.</summary>
    public void Resize(EvictionEntry entry, long bytes)
    {
        var change = bytes - entry.Bytes;
        Budget.Add(change);
        entry.Bytes = bytes;
        Policy.Resized(entry, change);
    }

    private long Evict(long bytes, long incoming, List<EvictionEntry> evicted)
    {
        var first = evicted.Count;
        Policy.SelectVictims(new EvictionRequest(bytes, incoming, Requests), evicted);
        long freed = 0;
        for (var i = first; i < evicted.Count; i++)
        {
            freed += evicted[i].Bytes;
            Budget.Add(-evicted[i].Bytes);
        }

        return freed;
    }
}
