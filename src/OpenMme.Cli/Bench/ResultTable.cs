using System.Globalization;
using OpenMme.Cli.Commands;
using Spectre.Console;

namespace OpenMme.Cli.Bench;

/// <summary>The tables <c>openmme bench</c> prints: one row per endpoint measured, then errors by code.</summary>
internal static class ResultTable
{
    /// <summary>Shown where a figure does not apply (a hit ratio of bare Kestrel, which has no cache).</summary>
    public const string NotApplicable = "n/a";

    // Markdown borders: aligned in a terminal, and a result pasted into docs/benchmarks.md is a table there too.
    public static Table Create(IReadOnlyList<LoadResult> results)
    {
        var table = new Table { Border = TableBorder.Markdown };
        table.AddColumns(
            ConsoleTables.TextColumn("endpoint"), ConsoleTables.TextColumn("mode"), ConsoleTables.NumberColumn("requests"), ConsoleTables.NumberColumn("req/s"),
            ConsoleTables.NumberColumn("p50 ms"), ConsoleTables.NumberColumn("p90 ms"), ConsoleTables.NumberColumn("p99 ms"), ConsoleTables.NumberColumn("p99.9 ms"),
            ConsoleTables.NumberColumn("errors"), ConsoleTables.NumberColumn("hit ratio"), ConsoleTables.NumberColumn("load s"));
        foreach (var r in results)
        {
            table.AddRow(
                ConsoleTables.Cell(r.Name), ConsoleTables.Cell(r.Mode), Number(r.Requests), Number(r.RequestsPerSecond, "0"),
                Number(r.P50Milliseconds, "0.000"), Number(r.P90Milliseconds, "0.000"), Number(r.P99Milliseconds, "0.000"), Number(r.P999Milliseconds, "0.000"),
                Number(r.Errors), Number(r.HitRatio, "0.000"), Number(r.LoadSeconds, "0.000"));
        }

        return table;
    }

    /// <summary>Errors of every run by status and SageMaker code, or null when there were none.</summary>
    public static Table? ErrorsByCode(IReadOnlyList<LoadResult> results)
    {
        var table = new Table { Border = TableBorder.Markdown };
        table.AddColumns(ConsoleTables.TextColumn("endpoint"), ConsoleTables.TextColumn("error"), ConsoleTables.NumberColumn("count"));
        foreach (var r in results)
        {
            foreach (var (code, count) in r.ErrorsByCode.OrderByDescending(e => e.Value))
            {
                table.AddRow(ConsoleTables.Cell(r.Name), ConsoleTables.Cell(code), Number(count));
            }
        }

        return table.Rows.Count > 0 ? table : null;
    }

    /// <summary>
    /// How a router spread each run over its instances: answers, share, hit ratio and spills per
    /// instance; null when no run went through a router.
    /// </summary>
    public static Table? ByInstance(IReadOnlyList<LoadResult> results)
    {
        var table = new Table { Border = TableBorder.Markdown };
        table.AddColumns(ConsoleTables.TextColumn("endpoint"), ConsoleTables.TextColumn("instance"), ConsoleTables.NumberColumn("requests"),
            ConsoleTables.NumberColumn("share"), ConsoleTables.NumberColumn("hit ratio"), ConsoleTables.NumberColumn("spills"));
        foreach (var r in results)
        {
            var total = r.Instances.Values.Sum(i => i.Requests);
            foreach (var (instance, tally) in r.Instances)
            {
                table.AddRow(ConsoleTables.Cell(r.Name), ConsoleTables.Cell(instance), Number(tally.Requests), Number((double)tally.Requests / total, "0.000"),
                    Number(tally.HitRatio, "0.000"), Number(tally.Spills));
            }
        }

        return table.Rows.Count > 0 ? table : null;
    }

    private static Text Number(long value) => ConsoleTables.Cell(value.ToString(CultureInfo.InvariantCulture));

    private static Text Number(double? value, string format) =>
        ConsoleTables.Cell(value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : NotApplicable);
}
