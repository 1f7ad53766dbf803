using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// A resident model as the eviction policies see it: what it costs to keep and to bring back,
/// how it has been used, and the bookkeeping a policy keeps on it. The memory tier's entries and
/// the planner's simulated models both derive from it, so both run the same policy code.
/// </summary>
/// <remarks>
/// <see cref="Touch"/> runs on the hit path, lock-free; every other member that changes state is
/// called under the budget's lock, which the policies rely on for their own structures.
/// </remarks>
internal abstract class EvictionEntry(string name, ModelStatistics statistics)
{
    private long _lastUse;
    private long _inflationBits;

    public string Name { get; } = name;

    /// <summary>A hash of the name that is the same in every process, so simulations repeat exactly.</summary>
    public ulong KeyHash { get; } = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(name.AsSpan()));

    /// <summary>Counts kept across loads and evictions of this name.</summary>
    public ModelStatistics Statistics { get; } = statistics;

    /// <summary>Bytes accounted for the model; changed only under the budget's lock.</summary>
    public long Bytes { get; set; }

    /// <summary>What loading it again from the disk tier costs: the session creation of its cheapest load of this version.</summary>
    public double LoadSeconds { get; set; }

    /// <summary>Logical clock of the last use (larger is more recent).</summary>
    public long LastUse => Volatile.Read(ref _lastUse);

    /// <summary>The policy's <see cref="IEvictionPolicy.Inflation"/> at the last use.</summary>
    public double InflationAtUse => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _inflationBits));

    /// <summary>Requests for the name since the instance started (across evictions): frequency for GDSF.</summary>
    public long Uses => Statistics.Hits + Statistics.Misses;

    /// <summary>No request holds it and it is not pinned: a policy may choose it.</summary>
    public abstract bool IsEvictable { get; }

    /// <summary>Position in a policy's heap, -1 when in none.</summary>
    internal int HeapIndex { get; set; } = -1;

    /// <summary>The key the policy's heap orders it by (a lower bound of its current priority).</summary>
    internal double HeapKey { get; set; }

    /// <summary>Which part of a policy holds it.</summary>
    internal EvictionSegment Segment { get; set; }

    /// <summary>Hits already added to a frequency sketch.</summary>
    internal long CountedHits { get; set; }

    /// <summary>Claims the model for eviction; false when a request took it meanwhile (then it stays).</summary>
    public abstract bool TryBeginEviction();

    /// <summary>Records a use at <paramref name="clock"/>. Lock-free and allocation-free: the hit path.</summary>
    public void Touch(long clock, double inflation)
    {
        Volatile.Write(ref _lastUse, clock);
        Volatile.Write(ref _inflationBits, BitConverter.DoubleToInt64Bits(inflation));
    }
}
