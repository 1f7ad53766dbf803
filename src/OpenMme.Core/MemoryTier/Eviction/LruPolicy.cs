namespace OpenMme.MemoryTier.Eviction;

/// <summary>Least recently used first.</summary>
public sealed class LruPolicy : IEvictionPolicy
{
    /// <inheritdoc />
    public string Name => "lru";

    /// <inheritdoc />
    public double Inflation => 0;

    /// <inheritdoc />
    public double Priority(in EvictionCandidate candidate) => candidate.LastUse;

    /// <inheritdoc />
    public void Evicted(double priority)
    {
    }
}
