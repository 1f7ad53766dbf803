namespace OpenMme.MemoryTier.Eviction;

/// <summary>Eviction policies by name.</summary>
public static class EvictionPolicies
{
    /// <summary>
    /// The policy an instance uses unless told otherwise: in the plans of docs/benchmarks.md it came
    /// nearest the online optimum on stationary traffic, stayed above lru when popularity shifted,
    /// and spent less load time than gdsf on every mix of large and small models.
    /// </summary>
    public const string Default = "tinylfu";

    private static readonly Dictionary<string, Func<long, IEvictionPolicy>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lru"] = _ => new LruPolicy(),
        ["gdsf"] = _ => new GdsfPolicy(),
        ["tinylfu"] = capacity => new TinyLfuPolicy(capacity),
    };

    /// <summary>Every policy's name.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Factories.Keys];

    /// <summary>The names, for messages: <c>lru, gdsf, tinylfu</c>.</summary>
    public static string Names { get; } = string.Join(", ", All);

    /// <summary>True when <paramref name="name"/> names a policy (in any case).</summary>
    public static bool IsKnown(string name) => Factories.ContainsKey(name);

    /// <summary>Creates the policy called <paramref name="name"/> for a memory budget of <paramref name="capacityBytes"/>.</summary>
    internal static IEvictionPolicy Create(string name, long capacityBytes) => Factories.TryGetValue(name, out var create)
        ? create(capacityBytes)
        : throw new ArgumentException($"Eviction policy '{name}' is unknown; use one of {Names}.", nameof(name));
}
