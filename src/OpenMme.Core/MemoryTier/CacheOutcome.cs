namespace OpenMme.MemoryTier;

/// <summary>Where an invocation found its model (the <c>X-OpenMme-Cache</c> header).</summary>
public enum CacheOutcome
{
    /// <summary>Already in memory.</summary>
    Hit,

    /// <summary>Loaded from the disk tier without touching the store.</summary>
    Disk,

    /// <summary>Downloaded from the store, then loaded.</summary>
    Miss,
}
