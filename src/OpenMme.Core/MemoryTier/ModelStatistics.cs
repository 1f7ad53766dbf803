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
    private readonly Lock _versionLock = new();
    private string? _version;
    private long _footprint;
    private double _cheapestLoad;

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
        lock (_versionLock)
        {
            ForVersion(version);
            _footprint = Math.Max(_footprint, measured);
            return _footprint;
        }
    }

    /// <summary>
    /// The quickest session creation seen for this artifact version: what loading it again from
    /// the disk tier costs, without the scheduling noise a single measurement carries.
    /// </summary>
    public double CheapestLoad(string version, double seconds)
    {
        lock (_versionLock)
        {
            ForVersion(version);
            _cheapestLoad = Math.Min(_cheapestLoad, seconds);
            return _cheapestLoad;
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

    private void ForVersion(string version)
    {
        if (_version != version)
        {
            _version = version;
            _footprint = 0;
            _cheapestLoad = double.MaxValue;
        }
    }
}
