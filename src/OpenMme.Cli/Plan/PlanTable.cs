using System.Globalization;
using OpenMme.Cli.Commands;
using OpenMme.Configuration;
using Spectre.Console;

namespace OpenMme.Cli.Plan;

/// <summary>
/// The table <c>openmme plan</c> prints: per memory and instance count, the two bounds, then each
/// policy with its share of the online optimum; for a trace whose popularity shifts (or with
/// <c>--block</c>), each policy's worst block of requests against <c>lru</c>'s same block.
/// </summary>
internal static class PlanTable
{
    public static Table Create(IReadOnlyList<PlanRow> rows, bool phases)
    {
        var table = new Table { Border = TableBorder.Markdown };
        table.AddColumns(
            ConsoleTables.NumberColumn("memory/instance"), ConsoleTables.NumberColumn("instances"), ConsoleTables.TextColumn("policy"),
            ConsoleTables.NumberColumn("hit ratio"), ConsoleTables.NumberColumn("of online opt."), ConsoleTables.NumberColumn("byte hit ratio"),
            ConsoleTables.NumberColumn("load s"), ConsoleTables.NumberColumn("loads"), ConsoleTables.NumberColumn("evictions"));
        if (phases)
        {
            table.AddColumn(ConsoleTables.NumberColumn("worst block vs lru"));
        }

        if (rows.Any(r => r.Result.Refused > 0))
        {
            table.AddColumn(ConsoleTables.NumberColumn("refused"));
        }

        foreach (var row in rows)
        {
            var optimum = rows.First(r => Same(r, row) && r.Policy == Planner.OnlineOptimum).Result.HitRatio;
            var cells = new List<string>
            {
                Memory(row.MemoryPerInstance), Format(row.Instances), row.Policy, Format(row.Result.HitRatio, "0.000"),
                row.IsBound ? string.Empty : Format(optimum > 0 ? row.Result.HitRatio / optimum : 0, "0.000"),
                Format(row.Result.ByteHitRatio, "0.000"), Format(row.Result.LoadSeconds, "0.0"), Format(row.Result.Loads),
                row.IsBound ? string.Empty : Format(row.Result.Evictions),
            };
            if (phases)
            {
                cells.Add(row.IsBound ? string.Empty : WorstPhase(rows, row));
            }

            if (rows.Any(r => r.Result.Refused > 0))
            {
                cells.Add(Format(row.Result.Refused));
            }

            table.AddRow([.. cells.Select(ConsoleTables.Cell)]);
        }

        return table;
    }

    /// <summary>The least, over blocks of requests, of this policy's hit ratio minus lru's in the same block.</summary>
    public static string WorstPhase(IReadOnlyList<PlanRow> rows, PlanRow row)
    {
        var lru = rows.FirstOrDefault(r => Same(r, row) && r.Policy == "lru");
        if (lru is null || row.Result.SegmentHitRatios.Count == 0)
        {
            return string.Empty;
        }

        var worst = row.Result.SegmentHitRatios.Zip(lru.Result.SegmentHitRatios, (a, b) => a - b).Min();
        return worst.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);
    }

    public static string Memory(long bytes) => ByteSize.Format(bytes);

    private static bool Same(PlanRow a, PlanRow b) => a.MemoryPerInstance == b.MemoryPerInstance && a.Instances == b.Instances;

    private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
