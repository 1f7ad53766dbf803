using System.Numerics;

namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// How often each model was asked for lately, in a few kilobytes whatever the number of names: a
/// count-min sketch of four rows of 16-bit counters, with conservative update and aging by
/// halving every counter. An estimate is never below the true count since the last halving,
/// saturating at <see cref="MaxCount"/>; unrelated names sharing a counter only raise it.
/// TinyLFU's counters have 4 bits, enough to compare a candidate with a victim that are both
/// rarely used; here the most popular models take part too (a popular large model against the
/// small ones it would displace), and they must not all read as one saturated count. Not
/// thread-safe: the policy that owns it calls it under the budget's lock.
/// </summary>
internal sealed class FrequencySketch
{
    /// <summary>The largest count a counter holds.</summary>
    public const int MaxCount = ushort.MaxValue;

    private const int Rows = 4;

    // A different odd multiplier per row: four nearly independent positions from one hash.
    private static readonly ulong[] Multipliers = [0x9E37_79B9_7F4A_7C15UL, 0xC2B2_AE3D_27D4_EB4FUL, 0x1656_67B1_9E37_79F9UL, 0xD6E8_FEB8_6659_FD93UL];

    private ushort[] _table = [];
    private int _indexBits;

    /// <summary>Creates a sketch for about <paramref name="counters"/> distinct names per row (rounded up to a power of two, at least 64).</summary>
    public FrequencySketch(int counters) => Resize(counters);

    /// <summary>Counters per row.</summary>
    public int Width => 1 << _indexBits;

    /// <summary>Drops every count and sizes the rows for about <paramref name="counters"/> names.</summary>
    public void Resize(int counters)
    {
        _indexBits = Math.Max(6, BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(counters, 1))));
        _table = new ushort[Rows << _indexBits];
    }

    /// <summary>The estimated count of <paramref name="hash"/>.</summary>
    public int Estimate(ulong hash)
    {
        int min = MaxCount;
        for (var row = 0; row < Rows; row++)
        {
            min = Math.Min(min, _table[Index(row, hash)]);
        }

        return min;
    }

    /// <summary>Adds <paramref name="count"/> uses of <paramref name="hash"/>, raising only the counters that hold its estimate.</summary>
    public void Add(ulong hash, long count)
    {
        if (count <= 0)
        {
            return;
        }

        var target = (ushort)Math.Min(MaxCount, Estimate(hash) + count);
        for (var row = 0; row < Rows; row++)
        {
            ref var counter = ref _table[Index(row, hash)];
            counter = Math.Max(counter, target);
        }
    }

    /// <summary>Halves every count, so what was popular long ago weighs less than what is popular now.</summary>
    public void Halve()
    {
        for (var i = 0; i < _table.Length; i++)
        {
            _table[i] >>= 1;
        }
    }

    /// <summary>
    /// Lowers every count above <paramref name="most"/> to it: how often a name was asked for is
    /// forgotten, not whether it was lately, so a name asked for once more counts for more than
    /// every name of the past and a name asked for only once does not.
    /// </summary>
    public void Cap(int most)
    {
        var ceiling = (ushort)Math.Clamp(most, 0, MaxCount);
        for (var i = 0; i < _table.Length; i++)
        {
            _table[i] = Math.Min(_table[i], ceiling);
        }
    }

    private int Index(int row, ulong hash)
    {
        var mixed = (hash ^ (hash >> 29)) * Multipliers[row];
        return (row << _indexBits) | (int)(mixed >> (64 - _indexBits));
    }
}
