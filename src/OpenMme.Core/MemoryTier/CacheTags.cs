namespace OpenMme.MemoryTier;

/// <summary>The bounded <c>result</c> label of cache lookups, allocated once.</summary>
internal static class CacheTags
{
    public static readonly KeyValuePair<string, object?> Hit = new("result", "hit");
    public static readonly KeyValuePair<string, object?> Disk = new("result", "disk");
    public static readonly KeyValuePair<string, object?> Miss = new("result", "miss");

    public static KeyValuePair<string, object?> For(CacheOutcome outcome) => outcome switch
    {
        CacheOutcome.Hit => Hit,
        CacheOutcome.Disk => Disk,
        _ => Miss,
    };
}
