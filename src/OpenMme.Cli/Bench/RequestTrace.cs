using System.Globalization;

namespace OpenMme.Cli.Bench;

/// <summary>
/// Which model each request of a benchmark targets: <c>once</c> (every model once, shuffled),
/// <c>uniform</c>, or <c>zipf:S</c> (rank r chosen with probability proportional to 1/r^S,
/// ranks assigned to models by a seeded shuffle). Thread-safe.
/// </summary>
internal sealed class RequestTrace
{
    private readonly int[]? _sequence;
    private readonly double[]? _cumulative;
    private readonly int[] _rankToModel;
    private int _next = -1;

    private RequestTrace(string name, int models, int[]? sequence, double[]? cumulative, int[] rankToModel)
    {
        Name = name;
        Models = models;
        _sequence = sequence;
        _cumulative = cumulative;
        _rankToModel = rankToModel;
    }

    public string Name { get; }

    public int Models { get; }

    /// <summary>Requests the trace holds, or null when it is endless.</summary>
    public int? Length => _sequence?.Length;

    public static RequestTrace Parse(string spec, int models, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(models);
        var shuffled = Enumerable.Range(0, models).ToArray();
        new Random(seed).Shuffle(shuffled);
        if (spec == "once")
        {
            return new RequestTrace(spec, models, shuffled, null, shuffled);
        }

        if (spec == "uniform")
        {
            return new RequestTrace(spec, models, null, null, shuffled);
        }

        if (spec.StartsWith("zipf:", StringComparison.Ordinal)
            && double.TryParse(spec.AsSpan(5), NumberStyles.Float, CultureInfo.InvariantCulture, out var exponent) && exponent >= 0)
        {
            var cumulative = new double[models];
            double total = 0;
            for (var rank = 0; rank < models; rank++)
            {
                total += 1 / Math.Pow(rank + 1, exponent);
                cumulative[rank] = total;
            }

            for (var rank = 0; rank < models; rank++)
            {
                cumulative[rank] /= total;
            }

            return new RequestTrace(spec, models, null, cumulative, shuffled);
        }

        throw new ArgumentException($"Trace '{spec}' is not one of once, uniform, zipf:S (e.g. zipf:1.0).", nameof(spec));
    }

    /// <summary>The next model index; false when a finite trace is used up.</summary>
    public bool TryNext(Random random, out int model)
    {
        if (_sequence is not null)
        {
            var i = Interlocked.Increment(ref _next);
            model = i < _sequence.Length ? _sequence[i] : -1;
            return i < _sequence.Length;
        }

        if (_cumulative is null)
        {
            model = random.Next(Models);
            return true;
        }

        var rank = Array.BinarySearch(_cumulative, random.NextDouble());
        rank = rank < 0 ? Math.Min(~rank, Models - 1) : rank;
        model = _rankToModel[rank];
        return true;
    }
}
