namespace OpenMme.Planning;

/// <summary>Counts what a replay did, request by request, into a <see cref="SimulationResult"/>; one set of sums for the policies and the bounds alike.</summary>
internal sealed class Tally(IReadOnlyList<PlanModel> models, int expectedRequests, int segmentLength)
{
    private readonly List<double> _segments = new(segmentLength > 0 ? (expectedRequests / segmentLength) + 1 : 0);
    private long _requests;
    private long _hits;
    private long _requestedBytes;
    private long _hitBytes;
    private long _loads;
    private double _loadSeconds;
    private long _evictions;
    private long _refused;
    private long _segmentHits;

    /// <summary>One request for <paramref name="model"/>.</summary>
    /// <param name="model">The model's index.</param>
    /// <param name="hit">It was in memory.</param>
    /// <param name="loaded">It was not, and was loaded (false: refused, too large for an instance).</param>
    /// <param name="firstLoad">This instance had never loaded it: the load downloads it first.</param>
    public void Request(int model, bool hit, bool loaded, bool firstLoad)
    {
        var plan = models[model];
        _requests++;
        _requestedBytes += plan.Bytes;
        if (hit)
        {
            _hits++;
            _segmentHits++;
            _hitBytes += plan.Bytes;
        }
        else if (loaded)
        {
            _loads++;
            _loadSeconds += plan.CreateSeconds + (firstLoad ? plan.DownloadSeconds : 0);
        }
        else
        {
            _refused++;
        }

        if (segmentLength > 0 && _requests % segmentLength == 0)
        {
            _segments.Add((double)_segmentHits / segmentLength);
            _segmentHits = 0;
        }
    }

    public void Evicted(int count) => _evictions += count;

    public SimulationResult Result() => new(_requests, _hits, _requestedBytes, _hitBytes, _loads, _loadSeconds, _evictions, _refused, _segments);
}
