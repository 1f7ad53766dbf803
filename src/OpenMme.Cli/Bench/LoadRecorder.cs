using System.Diagnostics;

namespace OpenMme.Cli.Bench;

/// <summary>Collects latencies and outcomes from many concurrent requests.</summary>
internal sealed class LoadRecorder
{
    private const string DroppedKey = "dropped by the client (too many in flight)";

    private readonly Lock _lock = new();
    private readonly List<long> _latencies = new(1 << 16);
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InstanceTally> _instances = new(StringComparer.Ordinal);
    private long _hits;
    private long _cacheAnswers;
    private long _completed;

    public long Completed => Interlocked.Read(ref _completed);

    public long ErrorCount
    {
        get
        {
            lock (_lock)
            {
                return _errors.Values.Sum();
            }
        }
    }

    /// <param name="latencyTicks">Stopwatch ticks from send (or schedule) to the answer.</param>
    /// <param name="status">HTTP status; 0 when nothing answered.</param>
    /// <param name="errorType">SageMaker's <c>x-amzn-ErrorType</c>, or why nothing answered.</param>
    /// <param name="cache">OpenMME's <c>X-OpenMme-Cache</c>: hit, disk or miss.</param>
    /// <param name="instance">A router's <c>X-OpenMme-Instance</c>: which instance answered.</param>
    /// <param name="route">A router's <c>X-OpenMme-Route</c>: home, sticky, spill or random.</param>
    public void Record(long latencyTicks, int status, string? errorType, string? cache, string? instance = null, string? route = null)
    {
        lock (_lock)
        {
            if (instance is not null)
            {
                var tally = _instances.GetValueOrDefault(instance);
                _instances[instance] = tally with
                {
                    Requests = tally.Requests + 1,
                    Hits = tally.Hits + (cache == "hit" ? 1 : 0),
                    Spills = tally.Spills + (route == "spill" ? 1 : 0),
                };
            }

            _latencies.Add(latencyTicks);
            if (status is < 200 or >= 300)
            {
                var key = status == 0 ? errorType ?? "connection error" : $"{status} {errorType ?? "error"}";
                _errors[key] = _errors.GetValueOrDefault(key) + 1;
            }

            if (cache is not null)
            {
                _cacheAnswers++;
                if (cache == MemoryTier.CacheOutcomeNames.Hit)
                {
                    _hits++;
                }
            }
        }

        Interlocked.Increment(ref _completed);
    }

    public void Dropped()
    {
        lock (_lock)
        {
            _errors[DroppedKey] = _errors.GetValueOrDefault(DroppedKey) + 1;
        }
    }

    public LoadResult Result(string name, string target, string mode, int connections, double seconds, double? loadSeconds)
    {
        lock (_lock)
        {
            _latencies.Sort();
            return new LoadResult(name, target, mode, connections, seconds, _latencies.Count, _errors.Values.Sum(), new Dictionary<string, long>(_errors),
                _hits, _cacheAnswers, Percentile(0.50), Percentile(0.90), Percentile(0.99), Percentile(0.999), loadSeconds)
            {
                Instances = new SortedDictionary<string, InstanceTally>(_instances, StringComparer.Ordinal),
            };
        }
    }

    private double Percentile(double quantile)
    {
        if (_latencies.Count == 0)
        {
            return 0;
        }

        var index = (int)Math.Min(_latencies.Count - 1, Math.Ceiling(quantile * _latencies.Count) - 1);
        return _latencies[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
    }
}
