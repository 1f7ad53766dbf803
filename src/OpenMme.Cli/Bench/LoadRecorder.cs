using System.Diagnostics;

namespace OpenMme.Cli.Bench;

/// <summary>Collects latencies and outcomes from many concurrent requests.</summary>
internal sealed class LoadRecorder
{
    private const string DroppedKey = "dropped by the client (too many in flight)";

    private readonly Lock _lock = new();
    private readonly List<long> _latencies = new(1 << 16);
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
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

    public void Record(long latencyTicks, int status, string? errorType, string? cache)
    {
        lock (_lock)
        {
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
                _hits, _cacheAnswers, Percentile(0.50), Percentile(0.90), Percentile(0.99), Percentile(0.999), loadSeconds);
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
