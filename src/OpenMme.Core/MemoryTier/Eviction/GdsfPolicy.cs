namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// GreedyDual-Size-Frequency: priority = L + uses × load cost / size, with L raised to the
/// priority of each evicted model, so models not used for a while age out. Keeps models that
/// are expensive to bring back and small for what they cost; lets large, cheap ones go first.
/// </summary>
internal sealed class GdsfPolicy : PriorityPolicy
{
    private const double MiB = 1024 * 1024;
    private long _inflationBits;

    public override string Name => "gdsf";

    public override double Inflation => BitConverter.Int64BitsToDouble(Volatile.Read(ref _inflationBits));

    public override double Priority(EvictionEntry entry) => Priority(entry.InflationAtUse, entry.Uses, entry.LoadSeconds, entry.Bytes);

    /// <summary>GDSF's priority of a model with these figures.</summary>
    public static double Priority(double inflationAtUse, long uses, double loadSeconds, long bytes) =>
        inflationAtUse + (uses * Math.Max(loadSeconds, 1e-6) / Math.Max(bytes / MiB, 1e-3));

    protected override void Evicted(double priority)
    {
        // L only grows (evictions are chosen under the budget's lock; hits read L without it).
        if (priority > Inflation)
        {
            Volatile.Write(ref _inflationBits, BitConverter.DoubleToInt64Bits(priority));
        }
    }
}
