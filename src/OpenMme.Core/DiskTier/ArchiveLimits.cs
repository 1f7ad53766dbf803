namespace OpenMme.DiskTier;

/// <summary>Caps on what one archive may unpack to.</summary>
/// <param name="MaxUnpackedBytes">Total bytes of all files.</param>
/// <param name="MaxEntries">Number of entries of any kind.</param>
public sealed record ArchiveLimits(long MaxUnpackedBytes, int MaxEntries)
{
    /// <summary>16 GiB and 10,000 entries: far above any real model, far below a disk-filling bomb.</summary>
    public static ArchiveLimits Default { get; } = new(16L << 30, 10_000);
}
