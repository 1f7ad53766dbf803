namespace OpenMme.MemoryTier;

/// <summary>
/// Memory a model takes once loaded, estimated from its bytes on disk before loading. Measured
/// here: resident memory grows about 1x the file size for large models and about 2x for 1 MB
/// ones, plus a fixed session overhead.
/// </summary>
public static class ModelFootprint
{
    /// <summary>Fixed per-session overhead assumed for every model.</summary>
    public const long SessionOverheadBytes = 256 * 1024;

    /// <summary>Estimated bytes in memory for an artifact of <paramref name="bytesOnDisk"/>.</summary>
    public static long Estimate(long bytesOnDisk) => bytesOnDisk + Math.Min(bytesOnDisk, 4L << 20) + SessionOverheadBytes;
}
