using System.Globalization;

namespace OpenMme.Cli.Bench;

/// <summary>
/// Which model each request of a benchmark targets: <c>once</c> (every model once, shuffled),
/// <c>uniform</c>, <c>zipf:S</c> (rank r chosen with probability proportional to 1/r^S, ranks
/// assigned to models by a seeded shuffle, or in name order), or <c>file:PATH</c> (a replay:
/// one target model per line). Thread-safe.
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

    public static RequestTrace Parse(string spec, int models, int seed) => Parse(spec, models, seed, rankByName: false, names: null);

    /// <param name="spec">once, uniform, zipf:S or file:PATH.</param>
    /// <param name="models">Number of models.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="rankByName">Zipf: rank 1 is model 0 (the first name), not a shuffled one.</param>
    /// <param name="names">Model names by index, to resolve a replay file.</param>
    public static RequestTrace Parse(string spec, int models, int seed, bool rankByName, IReadOnlyList<string>? names)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(models);
        var shuffled = Enumerable.Range(0, models).ToArray();
        new Random(seed).Shuffle(shuffled);
        if (spec.StartsWith("file:", StringComparison.Ordinal))
        {
            return Replay(spec, spec[5..], names ?? [], shuffled);
        }

        if (rankByName)
        {
            shuffled = Enumerable.Range(0, models).ToArray();
        }

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

        throw new ArgumentException($"Trace '{spec}' is not one of once, uniform, zipf:S (e.g. zipf:1.0), file:PATH.", nameof(spec));
    }

    private static RequestTrace Replay(string spec, string path, IReadOnlyList<string> names, int[] identity)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            index[names[i]] = i;
        }

        var sequence = new List<int>();
        foreach (var line in File.ReadLines(path))
        {
            var name = line.Trim();
            if (name.Length == 0 || name[0] == '#')
            {
                continue;
            }

            sequence.Add(index.TryGetValue(name, out var model)
                ? model
                : throw new ArgumentException($"Trace {path} names '{name}', which is not among the {names.Count} benchmark models.", nameof(path)));
        }

        return new RequestTrace(spec, names.Count, [.. sequence], null, identity);
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
