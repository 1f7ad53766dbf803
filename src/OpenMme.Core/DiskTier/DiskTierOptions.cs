namespace OpenMme.DiskTier;

/// <summary>Where and how much the disk tier caches.</summary>
/// <param name="CacheDirectory">The instance's cache folder.</param>
/// <param name="BudgetBytes">Bytes the cached artifacts may take; 0 for no limit.</param>
/// <param name="Archive">Caps for unpacking archives.</param>
public sealed record DiskTierOptions(string CacheDirectory, long BudgetBytes, ArchiveLimits Archive)
{
    /// <summary>How long one download (read, unpack, record) may take in all before it is abandoned and cleaned up.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(360);
}
