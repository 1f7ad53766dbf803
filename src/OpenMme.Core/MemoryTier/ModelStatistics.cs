namespace OpenMme.MemoryTier;

/// <summary>Per-model counts kept across loads and evictions (container contract's describe).</summary>
internal sealed class ModelStatistics
{
    private long _hits;
    private long _misses;
    private long _loads;
    private long _evictions;
    private long _lastLoadTicks;
    private long _lastLoadSecondsBits;
    private readonly Lock _footprintLock = new();
    private long _footprint;
    private string? _footprintVersion;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    public long Loads => Interlocked.Read(ref _loads);

    public long Evictions => Interlocked.Read(ref _evictions);

    public DateTimeOffset? LastLoadAt => Interlocked.Read(ref _lastLoadTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public double LastLoadSeconds => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _lastLoadSecondsBits));

    public void Hit() => Interlocked.Increment(ref _hits);

    /// <summary>
    /// The largest footprint measured for this artifact version. Resident-memory growth
    /// under-reads when the allocator reuses memory an evicted model freed; the maximum over
    /// loads converges on what the model really holds.
    /// </summary>
    public long Footprint(string version, long measured)
    {
        lock (_footprintLock)
        {
            if (_footprintVersion != version)
            {
                _footprintVersion = version;
                _footprint = 0;
            }

            _footprint = Math.Max(_footprint, measured);
            return _footprint;
        }
    }

    public void Miss() => Interlocked.Increment(ref _misses);

    public void Evicted() => Interlocked.Increment(ref _evictions);

    public void Loaded(DateTimeOffset at, TimeSpan took)
    {
        Interlocked.Increment(ref _loads);
        Interlocked.Exchange(ref _lastLoadTicks, at.UtcTicks);
        Interlocked.Exchange(ref _lastLoadSecondsBits, BitConverter.DoubleToInt64Bits(took.TotalSeconds));
    }
}
