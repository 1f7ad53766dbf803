namespace OpenMme.Cli.Bench;

/// <summary>What one load run measured.</summary>
internal sealed record LoadResult(
    string Target,
    string Mode,
    int Connections,
    double Seconds,
    long Requests,
    long Errors,
    IReadOnlyDictionary<string, long> ErrorsByCode,
    long CacheHits,
    long CacheAnswers,
    double P50Milliseconds,
    double P90Milliseconds,
    double P99Milliseconds,
    double P999Milliseconds,
    double? LoadSeconds)
{
    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;

    public double HitRatio => CacheAnswers > 0 ? (double)CacheHits / CacheAnswers : 0;
}
