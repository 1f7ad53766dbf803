namespace OpenMme.MemoryTier.Eviction;

/// <summary>Least recently used first.</summary>
internal sealed class LruPolicy : PriorityPolicy
{
    public override string Name => "lru";

    public override double Priority(EvictionEntry entry) => entry.LastUse;
}
