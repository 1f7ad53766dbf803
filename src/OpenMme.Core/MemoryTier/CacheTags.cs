namespace OpenMme.MemoryTier;

/// <summary>The bounded <c>result</c> label of cache lookups, allocated once.</summary>
internal static class CacheTags
{
    public static readonly KeyValuePair<string, object?> Hit = new("result", CacheOutcomeNames.Hit);
    public static readonly KeyValuePair<string, object?> Disk = new("result", CacheOutcomeNames.Disk);
    public static readonly KeyValuePair<string, object?> Miss = new("result", CacheOutcomeNames.Miss);

    public static KeyValuePair<string, object?> For(CacheOutcome outcome) => outcome switch
    {
        CacheOutcome.Hit => Hit,
        CacheOutcome.Disk => Disk,
        _ => Miss,
    };
}
