using OpenMme.MemoryTier;

namespace OpenMme.Planning;

/// <summary>
/// What loading a model costs when nothing was measured: straight lines through the figures this
/// project measured on its 2-core machines (SPEC section 9). Session creation: about 0.8 ms at
/// 0.1 MB, 2.6 ms at 1 MB, 25 ms at 10 MB, 265-300 ms at 100 MB. Download from an S3-compatible
/// store: about 500 MB/s after a few milliseconds of round trips.
/// </summary>
internal static class LoadCostModel
{
    private const double BytesPerMegabyte = 1_000_000;
    private const double CreateFixedSeconds = 0.0006;
    private const double CreateSecondsPerMegabyte = 0.00275;
    private const double DownloadFixedSeconds = 0.003;
    private const double DownloadSecondsPerMegabyte = 0.002;

    /// <summary>Session creation of an artifact of <paramref name="artifactBytes"/>.</summary>
    public static double CreateSeconds(long artifactBytes) => InTicks(CreateFixedSeconds + (CreateSecondsPerMegabyte * artifactBytes / BytesPerMegabyte));

    /// <summary>Download of an artifact of <paramref name="artifactBytes"/> from the store.</summary>
    public static double DownloadSeconds(long artifactBytes) => InTicks(DownloadFixedSeconds + (DownloadSecondsPerMegabyte * artifactBytes / BytesPerMegabyte));

    /// <summary>
    /// Seconds as a clock measures them (whole ticks): what the memory tier records for a load that a
    /// fake clock times, to the last bit, so that costs and the priorities built on them are the same
    /// in the decision core and in the memory tier (GDSF adds them to a growing L, where the last bit decides ties).
    /// </summary>
    public static double InTicks(double seconds) => Duration(seconds).TotalSeconds;

    /// <summary>The nearest whole-tick duration (<see cref="TimeSpan.FromSeconds(double)"/> truncates, and would not give back a value in ticks).</summary>
    public static TimeSpan Duration(double seconds) => TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    /// <summary>A model of <paramref name="artifactBytes"/> on disk, accounted at its estimated footprint.</summary>
    public static PlanModel Model(string name, long artifactBytes) =>
        new(name, ModelFootprint.Estimate(artifactBytes), CreateSeconds(artifactBytes), DownloadSeconds(artifactBytes));
}
