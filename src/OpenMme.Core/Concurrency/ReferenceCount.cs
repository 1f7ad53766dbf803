namespace OpenMme.Concurrency;

/// <summary>
/// Reference counts in which a negative value means no reference can be taken any more (still
/// loading, evicted, deleted): taking one is a compare-and-swap loop that never lifts a negative count.
/// </summary>
internal static class ReferenceCount
{
    /// <summary>Adds one reference to <paramref name="count"/> unless it is negative.</summary>
    public static bool TryAdd(ref int count)
    {
        var seen = Volatile.Read(ref count);
        while (seen >= 0)
        {
            var previous = Interlocked.CompareExchange(ref count, seen + 1, seen);
            if (previous == seen)
            {
                return true;
            }

            seen = previous;
        }

        return false;
    }
}
