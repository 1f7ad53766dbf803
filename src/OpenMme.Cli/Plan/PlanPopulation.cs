using System.Globalization;
using OpenMme.Cli.Bench;
using OpenMme.Configuration;
using OpenMme.Planning;

namespace OpenMme.Cli.Plan;

/// <summary>The models a plan replays requests for, and where they came from.</summary>
/// <param name="Models">The models, in the order traces number them.</param>
/// <param name="Description">What they are, for the command's output.</param>
internal sealed record PlanPopulation(IReadOnlyList<PlanModel> Models, string Description)
{
    public IReadOnlyList<string> Names => [.. Models.Select(m => m.Name)];

    /// <summary>Memory all the models take at once.</summary>
    public long TotalBytes => Models.Sum(m => m.Bytes);

    /// <summary>
    /// Models of the sizes a spec gives, <c>1000x100KB</c> or <c>4x20MB,60x200KB</c>, named
    /// <c>model-0000.onnx</c> onwards in the spec's order (the order <c>--zipf-by-name</c> ranks them).
    /// </summary>
    public static PlanPopulation FromSpec(string spec)
    {
        var groups = new List<(int Count, long Bytes, string Text)>();
        foreach (var part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var x = part.IndexOf('x', StringComparison.OrdinalIgnoreCase);
            if (x <= 0 || !int.TryParse(part[..x], NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) || count < 1
                || !ByteSize.TryParse(part[(x + 1)..], null, out var bytes, out _) || bytes < 1)
            {
                throw new ArgumentException($"'{part}' is not COUNTxSIZE, e.g. 1000x100KB or 4x20MB,60x200KB.", nameof(spec));
            }

            groups.Add((count, bytes, part));
        }

        if (groups.Count == 0)
        {
            throw new ArgumentException("The population is empty: give COUNTxSIZE, e.g. 1000x100KB.", nameof(spec));
        }

        var total = groups.Sum(g => g.Count);
        var digits = Math.Max(4, total.ToString(CultureInfo.InvariantCulture).Length);
        var models = new List<PlanModel>(total);
        foreach (var (count, bytes, _) in groups)
        {
            for (var i = 0; i < count; i++)
            {
                models.Add(LoadCostModel.Model($"model-{models.Count.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}.onnx", bytes));
            }
        }

        return new PlanPopulation(models, string.Join(" + ", groups.Select(g => g.Text)) + " models");
    }

    /// <summary>The models of a sample folder, as <c>bench --requests</c> numbers them, at the size of their files.</summary>
    public static PlanPopulation FromFolder(string folder)
    {
        var models = SampleArtifacts.In(folder).Select(a => LoadCostModel.Model(a.Name, new FileInfo(a.Path).Length)).ToList();
        if (models.Count == 0)
        {
            throw new ArgumentException($"{folder} holds no artifacts with NAME.request.json beside them (as openmme samples writes).", nameof(folder));
        }

        return new PlanPopulation(models, $"{models.Count} models of {folder}");
    }

    /// <summary>The models of an access log and its requests in the order they were answered (<see cref="AccessLogReplay"/>).</summary>
    public static (PlanPopulation Population, int[] Requests) FromAccessLog(string path)
    {
        var (models, requests) = AccessLogReplay.Read(path);
        return (new PlanPopulation(models, $"{models.Count} models of the access log {path}"), requests);
    }
}
