using OpenMme.MemoryTier;
using OpenMme.Telemetry;

namespace OpenMme.Planning;

/// <summary>
/// An access log as the planner replays it: its models, and its requests in the order they were
/// answered. A model is as large as the log accounted it; reloading it costs its quickest load
/// from the disk tier, and its first load what its first download added; a model the log never
/// saw loading is costed from its size.
/// </summary>
internal static class AccessLogReplay
{
    public static (IReadOnlyList<PlanModel> Models, int[] Requests) Read(string path)
    {
        var records = AccessLog.Read(path);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var byModel = new List<List<AccessRecord>>();
        var requests = new int[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            if (!index.TryGetValue(records[i].Model, out var model))
            {
                model = index[records[i].Model] = byModel.Count;
                byModel.Add([]);
            }

            byModel[model].Add(records[i]);
            requests[i] = model;
        }

        return ([.. byModel.Select(Costed)], requests);
    }

    private static PlanModel Costed(List<AccessRecord> records)
    {
        var bytes = records.Max(r => r.Bytes);
        var estimated = LoadCostModel.Model(records[0].Model, Math.Max(1, (bytes - ModelFootprint.SessionOverheadBytes) / 2));
        var disk = Quickest(records, CacheOutcome.Disk);
        var miss = Quickest(records, CacheOutcome.Miss);
        var create = disk ?? miss ?? estimated.CreateSeconds;
        var download = miss is { } first ? Math.Max(0, first - create) : estimated.DownloadSeconds;
        return new PlanModel(records[0].Model, bytes, LoadCostModel.InTicks(create), LoadCostModel.InTicks(download));
    }

    private static double? Quickest(List<AccessRecord> records, CacheOutcome outcome)
    {
        double? quickest = null;
        foreach (var record in records)
        {
            if (record.Outcome == outcome)
            {
                quickest = Math.Min(quickest ?? double.MaxValue, record.LoadSeconds);
            }
        }

        return quickest;
    }
}
