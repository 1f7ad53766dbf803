namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// GreedyDual-Size-Frequency: priority = L + uses × load cost / size, with L raised to the
/// priority of each evicted model, so models not used for a while age out. Keeps models that
/// are expensive to bring back and small for what they cost; lets large, cheap ones go first.
/// </summary>
public sealed class GdsfPolicy : IEvictionPolicy
{
    private const double MiB = 1024 * 1024;
    private long _inflationBits;

    /// <inheritdoc />
    public string Name => "gdsf";

    /// <inheritdoc />
    public double Inflation => BitConverter.Int64BitsToDouble(Volatile.Read(ref _inflationBits));

    /// <inheritdoc />
    public double Priority(in EvictionCandidate candidate) =>
        candidate.InflationAtUse + (candidate.Uses * Math.Max(candidate.LoadSeconds, 1e-6) / Math.Max(candidate.Bytes / MiB, 1e-3));

    /// <inheritdoc />
    public void Evicted(double priority)
    {
        // L only grows; a stale, lower priority must not lower it.
        var seen = Volatile.Read(ref _inflationBits);
        while (priority > BitConverter.Int64BitsToDouble(seen))
        {
            var previous = Interlocked.CompareExchange(ref _inflationBits, BitConverter.DoubleToInt64Bits(priority), seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
