namespace OpenMme.Cli.Bench;

/// <summary>What one load run measured.</summary>
/// <param name="Name">What the table calls the endpoint: <c>bare Kestrel</c>, or the URL given.</param>
/// <param name="Target">The invocation URL that was loaded.</param>
/// <param name="Mode"><c>closed</c>, or <c>open R/s</c>.</param>
/// <param name="Connections">Connections of the client.</param>
/// <param name="Seconds">Length of the measured phase.</param>
/// <param name="Requests">Requests answered (any status).</param>
/// <param name="Errors">Requests not answered with 2xx, and requests the client dropped.</param>
/// <param name="ErrorsByCode">Errors by status and SageMaker error code.</param>
/// <param name="CacheHits">Answers that found the model in memory.</param>
/// <param name="CacheAnswers">Answers that said where the model was found.</param>
/// <param name="P50Milliseconds">Median latency.</param>
/// <param name="P90Milliseconds">90th percentile latency.</param>
/// <param name="P99Milliseconds">99th percentile latency.</param>
/// <param name="P999Milliseconds">99.9th percentile latency.</param>
/// <param name="LoadSeconds">Download and load time the endpoint reported on /metrics during the phase; null without such metrics.</param>
internal sealed record LoadResult(
    string Name,
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

    /// <summary>Hits over answers that said where the model was found; null when none did (bare Kestrel, another server).</summary>
    public double? HitRatio => CacheAnswers > 0 ? (double)CacheHits / CacheAnswers : null;

    /// <summary>Answers by the instance a router said answered them (<c>X-OpenMme-Instance</c>); empty without a router.</summary>
    public IReadOnlyDictionary<string, InstanceTally> Instances { get; init; } = new Dictionary<string, InstanceTally>();

    /// <summary>Answers a router sent past a model's busy instances (<c>X-OpenMme-Route: spill</c>).</summary>
    public long Spills => Instances.Values.Sum(i => i.Spills);
}

/// <summary>What one instance behind a router answered in a run.</summary>
/// <param name="Requests">Answers from the instance.</param>
/// <param name="Hits">Of them, answers that found the model in memory.</param>
/// <param name="Spills">Of them, requests the router sent there past a busy instance.</param>
internal readonly record struct InstanceTally(long Requests, long Hits, long Spills)
{
    public double? HitRatio => Requests > 0 ? (double)Hits / Requests : null;
}
