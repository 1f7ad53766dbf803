using System.Globalization;
using OpenMme.Telemetry;

namespace OpenMme.Planning;

/// <summary>
/// Which model each request of a benchmark or a plan targets: <c>once</c> (every model once,
/// shuffled), <c>uniform</c>, <c>zipf:S</c> (rank r chosen with probability proportional to
/// 1/r^S, ranks assigned to models by a seeded shuffle, or in name order), <c>shift:S:N</c>
/// (Zipf S whose ranking is shuffled anew every N requests: popularity that shifts), or
/// <c>file:PATH</c> (a replay: one target model per line, or an access log that
/// <c>serve --access-log</c> wrote). Thread-safe.
/// </summary>
internal sealed class RequestTrace
{
    /// <summary>The forms a trace takes, for messages.</summary>
    public const string Forms = "once, uniform, zipf:S (e.g. zipf:1.0), shift:S:N (e.g. shift:1.0:100000), file:PATH";

    private readonly int[]? _sequence;
    private readonly double[]? _cumulative;
    private readonly int[] _rankToModel;
    private readonly int _seed;
    private readonly int[]?[]? _phases;
    private int _next = -1;

    private RequestTrace(string name, int models, int[]? sequence, double[]? cumulative, int[] rankToModel, int phaseLength = 0, int seed = 0)
    {
        Name = name;
        Models = models;
        _sequence = sequence;
        _cumulative = cumulative;
        _rankToModel = rankToModel;
        PhaseLength = phaseLength;
        _seed = seed;
        _phases = phaseLength > 0 ? new int[]?[1024] : null;
    }

    public string Name { get; }

    public int Models { get; }

    /// <summary>Requests the trace holds, or null when it is endless.</summary>
    public int? Length => _sequence?.Length;

    /// <summary>Requests between shifts of popularity (<c>shift:S:N</c>), else 0.</summary>
    public int PhaseLength { get; }

    public static RequestTrace Parse(string spec, int models, int seed) => Parse(spec, models, seed, rankByName: false, names: null);

    /// <param name="spec">once, uniform, zipf:S, shift:S:N or file:PATH.</param>
    /// <param name="models">Number of models.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="rankByName">Zipf: rank 1 is model 0 (the first name), not a shuffled one (before the first shift).</param>
    /// <param name="names">Model names by index, to resolve a replay file.</param>
    public static RequestTrace Parse(string spec, int models, int seed, bool rankByName, IReadOnlyList<string>? names)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(models);
        var shuffled = Shuffled(models, seed);
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

        var parts = spec.Split(':');
        if (parts is ["zipf", var s] && TryExponent(s, out var exponent))
        {
            return new RequestTrace(spec, models, null, Zipf(models, exponent), shuffled);
        }

        if (parts is ["shift", var shiftS, var n] && TryExponent(shiftS, out exponent)
            && int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var phase) && phase > 0)
        {
            return new RequestTrace(spec, models, null, Zipf(models, exponent), shuffled, phase, seed);
        }

        throw new ArgumentException($"Trace '{spec}' is not one of {Forms}.", nameof(spec));
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
        model = RankingNow()[rank];
        return true;
    }

    /// <summary>The next <paramref name="count"/> model indexes (fewer if a finite trace ends first), drawn as one connection of a benchmark draws them.</summary>
    public int[] Take(int count, Random random)
    {
        var requests = new List<int>(Length is { } length ? Math.Min(length, count) : count);
        while (requests.Count < count && TryNext(random, out var model))
        {
            requests.Add(model);
        }

        return [.. requests];
    }

    /// <summary>Which model holds each rank now: after every <see cref="PhaseLength"/> requests, a new seeded shuffle.</summary>
    private int[] RankingNow()
    {
        if (_phases is null)
        {
            return _rankToModel;
        }

        var phase = Interlocked.Increment(ref _next) / PhaseLength;
        if (phase == 0)
        {
            return _rankToModel;
        }

        // The shuffles repeat after as many phases as the table holds; each is made once, by whichever request needs it first.
        var slot = phase % _phases.Length;
        return Volatile.Read(ref _phases[slot]) ?? Interlocked.CompareExchange(ref _phases[slot], Shuffled(Models, _seed + slot), null) ?? _phases[slot]!;
    }

    private static int[] Shuffled(int models, int seed)
    {
        var shuffled = Enumerable.Range(0, models).ToArray();
        new Random(seed).Shuffle(shuffled);
        return shuffled;
    }

    private static bool TryExponent(string text, out double exponent) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out exponent) && exponent >= 0;

    private static double[] Zipf(int models, double exponent)
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

        return cumulative;
    }

    private static RequestTrace Replay(string spec, string path, IReadOnlyList<string> names, int[] identity)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            index[names[i]] = i;
        }

        var sequence = new List<int>();
        foreach (var name in TargetsIn(path))
        {
            sequence.Add(index.TryGetValue(name, out var model)
                ? model
                : throw new ArgumentException($"Trace {path} names '{name}', which is not among the {names.Count} models.", nameof(path)));
        }

        return new RequestTrace(spec, names.Count, [.. sequence], null, identity);
    }

    /// <summary>The target models a replay file names in order: an access log's models, or one name per line (blank lines and # comments skipped).</summary>
    public static IEnumerable<string> TargetsIn(string path)
    {
        if (IsAccessLog(path))
        {
            return AccessLog.Read(path).Select(r => r.Model);
        }

        return File.ReadLines(path).Select(line => line.Trim()).Where(line => line.Length > 0 && line[0] != '#');
    }

    /// <summary>True when the file's first line that is not blank is a JSON object: an access log.</summary>
    public static bool IsAccessLog(string path) =>
        File.ReadLines(path).FirstOrDefault(line => !string.IsNullOrWhiteSpace(line))?.TrimStart().StartsWith('{') == true;
}
