using OpenMme.Cli.Commands;

namespace OpenMme.Cli.Bench;

public sealed class ResultTableTests
{
    [Fact]
    public void Columns_stay_aligned_whatever_the_length_of_the_endpoint_and_a_baseline_has_no_hit_ratio()
    {
        var results = new[]
        {
            Result("bare Kestrel", cacheAnswers: 0, loadSeconds: null),
            Result("http://a-rather-long-host-name.example.internal:18081/with/a/prefix", cacheAnswers: 100, loadSeconds: 0.25),
        };
        using var output = new StringWriter();

        ConsoleTables.Write(output, ResultTable.Create(results));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(4, lines.Length);
        var bars = Bars(lines[0]);
        Assert.Equal(12, bars.Length);
        Assert.All(lines, line => Assert.Equal(bars, Bars(line)));
        var baseline = Cells(lines[2]);
        Assert.Equal(["bare Kestrel", "closed", "1000", "100", "0.500", "0.900", "0.990", "0.999", "0", ResultTable.NotApplicable, ResultTable.NotApplicable], baseline);
        Assert.Equal("0.900", Cells(lines[3])[9]);
    }

    [Fact]
    public void Errors_by_code_are_their_own_table_and_absent_without_errors()
    {
        var clean = Result("bare Kestrel", cacheAnswers: 0, loadSeconds: null);
        var failing = clean with { Name = "http://127.0.0.1:8080", Errors = 3, ErrorsByCode = new Dictionary<string, long> { ["400 ValidationError"] = 3 } };
        using var output = new StringWriter();

        Assert.Null(ResultTable.ErrorsByCode([clean]));
        ConsoleTables.Write(output, ResultTable.ErrorsByCode([clean, failing])!);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(["http://127.0.0.1:8080", "400 ValidationError", "3"], Cells(lines[2]));
    }

    private static LoadResult Result(string name, long cacheAnswers, double? loadSeconds) =>
        new(name, name + "/endpoints/local/invocations", "closed", 16, 10, 1000, 0, new Dictionary<string, long>(),
            cacheAnswers * 9 / 10, cacheAnswers, 0.5, 0.9, 0.99, 0.999, loadSeconds);

    private static int[] Bars(string line) => [.. line.Select((c, i) => (c, i)).Where(p => p.c == '|').Select(p => p.i)];

    private static string[] Cells(string line) => [.. line.Trim('|').Split('|').Select(c => c.Trim())];
}
