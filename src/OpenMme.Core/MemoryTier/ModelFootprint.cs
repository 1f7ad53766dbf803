namespace OpenMme.MemoryTier;

/// <summary>
/// Memory a model takes once loaded, estimated from its bytes on disk before loading: twice the
/// weights (session creation holds the file's bytes and the initializers at once, and FP32
/// MatMul weights are kept again pre-packed) plus a fixed session overhead. Measured on this
/// project's machines: 100 MB FP32 models settle near 1.9x, FP64 ones near 1x, 1 MB ones near 2x.
/// From <see cref="ModelCache.MeasuredFootprintThreshold"/> on, the measured growth replaces it.
/// </summary>
public static class ModelFootprint
{
    /// <summary>Fixed per-session overhead assumed for every model.</summary>
    public const long SessionOverheadBytes = 256 * 1024;

    /// <summary>Estimated bytes in memory for an artifact of <paramref name="bytesOnDisk"/>.</summary>
    public static long Estimate(long bytesOnDisk) => (2 * bytesOnDisk) + SessionOverheadBytes;
}
