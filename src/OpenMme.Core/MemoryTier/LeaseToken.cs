namespace OpenMme.MemoryTier;

/// <summary>
/// The state behind a <see cref="ModelLease"/>: which model it holds, and a generation that ends
/// with the lease. Tokens are pooled, so a lease costs no allocation; a copy of an ended lease
/// carries a stale generation, and its dispose does nothing.
/// </summary>
internal sealed class LeaseToken(ModelCache cache)
{
    private CachedModel? _entry;
    private int _generation;

    /// <summary>Starts a lease on <paramref name="entry"/>; returns its generation.</summary>
    public int Begin(CachedModel entry)
    {
        Volatile.Write(ref _entry, entry);
        return Volatile.Read(ref _generation);
    }

    /// <summary>The leased model while the lease of <paramref name="generation"/> lasts, else null.</summary>
    public CachedModel? EntryFor(int generation)
    {
        // The entry is read first: a token reused since carries a newer generation, seen below.
        var entry = Volatile.Read(ref _entry);
        return Volatile.Read(ref _generation) == generation ? entry : null;
    }

    /// <summary>Ends the lease of <paramref name="generation"/>; only its first end releases the model.</summary>
    public void End(int generation)
    {
        var entry = Volatile.Read(ref _entry);
        if (entry is not null && Interlocked.CompareExchange(ref _generation, generation + 1, generation) == generation)
        {
            Volatile.Write(ref _entry, null);
            cache.Release(entry, this);
        }
    }
}
