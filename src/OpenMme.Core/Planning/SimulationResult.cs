namespace OpenMme.Planning;

/// <summary>What replaying a request sequence through one configuration gave.</summary>
/// <param name="Requests">Requests replayed.</param>
/// <param name="Hits">Requests that found their model in memory.</param>
/// <param name="RequestedBytes">Sum over requests of their model's bytes.</param>
/// <param name="HitBytes">The same, over hits only.</param>
/// <param name="Loads">Loads (misses that were served).</param>
/// <param name="LoadSeconds">Time spent loading: downloads of first loads and every session creation.</param>
/// <param name="Evictions">Models evicted to make room.</param>
/// <param name="Refused">Requests for a model larger than an instance's whole memory budget (an instance answers 507).</param>
/// <param name="SegmentHitRatios">Hit ratio of each consecutive block of requests, when blocks were asked for.</param>
internal sealed record SimulationResult(
    long Requests,
    long Hits,
    long RequestedBytes,
    long HitBytes,
    long Loads,
    double LoadSeconds,
    long Evictions,
    long Refused,
    IReadOnlyList<double> SegmentHitRatios)
{
    public double HitRatio => Requests > 0 ? (double)Hits / Requests : 0;

    public double ByteHitRatio => RequestedBytes > 0 ? (double)HitBytes / RequestedBytes : 0;
}
