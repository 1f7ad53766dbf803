namespace OpenMme.MemoryTier;

/// <summary>
/// The names of <see cref="CacheOutcome"/> wherever they are written: the <c>X-OpenMme-Cache</c>
/// header, the lookup metric's <c>result</c> label and the access log.
/// </summary>
public static class CacheOutcomeNames
{
    /// <summary>In memory.</summary>
    public const string Hit = "hit";

    /// <summary>Loaded from the disk tier.</summary>
    public const string Disk = "disk";

    /// <summary>Downloaded, then loaded.</summary>
    public const string Miss = "miss";

    /// <summary>The outcome's name.</summary>
    public static string Of(CacheOutcome outcome) => outcome switch
    {
        CacheOutcome.Hit => Hit,
        CacheOutcome.Disk => Disk,
        _ => Miss,
    };

    /// <summary>The outcome a name stands for; false for any other text.</summary>
    public static bool TryParse(string? name, out CacheOutcome outcome)
    {
        (var known, outcome) = name switch
        {
            Hit => (true, CacheOutcome.Hit),
            Disk => (true, CacheOutcome.Disk),
            Miss => (true, CacheOutcome.Miss),
            _ => (false, default),
        };
        return known;
    }
}
