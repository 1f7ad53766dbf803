namespace OpenMme.MemoryTier.Eviction;

/// <summary>Eviction policies by name.</summary>
public static class EvictionPolicies
{
    /// <summary>The names that <see cref="Create"/> accepts.</summary>
    public const string Names = "lru, gdsf";

    /// <summary>Creates the policy called <paramref name="name"/>.</summary>
    public static IEvictionPolicy Create(string name) => name.ToLowerInvariant() switch
    {
        "lru" => new LruPolicy(),
        "gdsf" => new GdsfPolicy(),
        _ => throw new ArgumentException($"Eviction policy '{name}' is unknown; use one of {Names}.", nameof(name)),
    };
}
