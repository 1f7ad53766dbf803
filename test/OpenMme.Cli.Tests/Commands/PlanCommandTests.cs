using System.Text.Json;
using OpenMme.MemoryTier;
using OpenMme.MemoryTier.Eviction;
using OpenMme.TestSupport;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme plan</c> as a user runs it, and on the access log of a real <c>openmme serve</c>.</summary>
public sealed class PlanCommandTests
{
    [Fact]
    public async Task The_grid_is_printed_with_both_bounds_charted_and_a_recommendation_follows()
    {
        using var directory = new TempDirectory();
        var chart = directory.Combine("plan.svg");
        var json = directory.Combine("plan.json");

        var (exit, output, error) = await CommandRun.InvokeAsync("plan", "--population", "200x100KB", "--requests", "50000", "--memory", "5%,20%",
            "--chart", chart, "--json", json, "--target-hit-ratio", "0.5", "--max-instances", "2");

        Assert.True(exit == 0, error);
        Assert.Contains("Planning 50,000 requests (zipf:1.0) over 200x100KB models", output, StringComparison.Ordinal);
        var rows = output.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| -", StringComparison.Ordinal)).Skip(1).ToArray();
        Assert.Equal(2 * (2 + EvictionPolicies.All.Count), rows.Length);
        Assert.Equal(2, rows.Count(r => r.Contains("| online optimum ", StringComparison.Ordinal)));
        Assert.Equal(2, rows.Count(r => r.Contains("| Belady ", StringComparison.Ordinal)));
        Assert.Contains("[  1/10] online optimum", error, StringComparison.Ordinal);
        Assert.Contains($"Recommended for a hit ratio of 0.5 with {EvictionPolicies.Default}: ", output, StringComparison.Ordinal);

        var svg = await File.ReadAllTextAsync(chart);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", svg, StringComparison.Ordinal);
        Assert.Equal(2 + EvictionPolicies.All.Count, svg.Split("<polyline").Length - 1);

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var results = report.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(rows.Length, results.Count);
        foreach (var memory in results.Select(r => r.GetProperty("memoryPerInstance").GetInt64()).Distinct())
        {
            var at = results.Where(r => r.GetProperty("memoryPerInstance").GetInt64() == memory).ToDictionary(r => r.GetProperty("policy").GetString()!, r => r.GetProperty("hitRatio").GetDouble());
            Assert.All(EvictionPolicies.All, p => Assert.True(at[p] <= at["Belady"], $"{p} above Belady"));
            Assert.True(at["online optimum"] <= at["Belady"]);
            Assert.True(at["tinylfu"] >= at["lru"]);
        }

        var recommendation = report.RootElement.GetProperty("recommendation");
        Assert.True(recommendation.GetProperty("hitRatio").GetDouble() >= 0.5);
    }

    [Fact]
    public async Task A_shifting_trace_shows_each_policys_worst_phase_against_lru()
    {
        var (exit, output, error) = await CommandRun.InvokeAsync("plan", "--population", "100x10KB", "--trace", "shift:1.0:10000", "--requests", "40000",
            "--memory", "10%", "--chart", "", "--target-hit-ratio", "0");

        Assert.True(exit == 0, error);
        Assert.Contains("worst block vs lru", output, StringComparison.Ordinal);
        Assert.Contains("| lru ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Chart:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--memory", "0%", "--memory '0%' is not a percentage")]
    [InlineData("--population", "10y100KB", "'10y100KB' is not COUNTxSIZE")]
    [InlineData("--policies", "lru,fifo", "--policies 'fifo' is not a policy")]
    [InlineData("--instances", "0", "--instances '0' is not an instance count")]
    [InlineData("--trace", "zipf", "--trace Trace 'zipf' is not one of once, uniform, zipf:S")]
    [InlineData("--memory-share", "half", "--memory-share 'half' is not a size")]
    [InlineData("--target-hit-ratio", "1", "--target-hit-ratio 1 must be from 0")]
    public async Task Wrong_options_are_named_with_what_would_be_right(string option, string value, string message)
    {
        var (exit, _, error) = await CommandRun.InvokeAsync("plan", "--requests", "1000", option, value);

        Assert.Equal(OpenMmeCommand.UsageError, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_access_log_of_a_real_serve_replays_to_the_hit_ratio_it_measured()
    {
        using var directory = new TempDirectory();
        var (samplesExit, _, samplesError) = await ServeProcess.RunToEndAsync(directory.Path, "samples", "--out", "models", "--count", "40", "--size", "20KB");
        Assert.True(samplesExit == 0, samplesError);
        var budget = 8 * SampleArtifacts().Max(a => ModelFootprint.Estimate(new FileInfo(directory.Combine("models", a)).Length));
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0", "--drain-delay", "0", "--memory-budget", budget.ToString(),
            "--cache-dir", "cache", "--eviction-policy", "lru", "--access-log", "access.jsonl");

        // One connection, so the log holds the requests in the order the memory tier decided them.
        var (benchExit, benchOutput, benchError) = await CommandRun.InvokeAsync("bench", "--url", serve.Address.ToString(), "--requests", directory.Combine("models"),
            "--trace", "zipf:1.0", "--connections", "1", "--warmup", "0", "--duration", "60", "--max-requests", "400", "--json", directory.Combine("bench.json"));
        Assert.True(benchExit == 0, benchError + benchOutput);
        using var bench = JsonDocument.Parse(await File.ReadAllTextAsync(directory.Combine("bench.json")));
        var measured = bench.RootElement[0].GetProperty("hitRatio").GetDouble();
        var log = directory.Combine("access.jsonl");
        for (var i = 0; i < 100 && (!File.Exists(log) || File.ReadLines(log).Count() < 400); i++)
        {
            await Task.Delay(50);
        }

        var records = Telemetry.AccessLog.Read(log);
        Assert.Equal(400, records.Count);
        Assert.Equal(measured, records.Count(r => r.Outcome == CacheOutcome.Hit) / 400.0, 9);
        Assert.All(records.Where(r => r.Outcome != CacheOutcome.Hit), r => Assert.True(r.LoadSeconds > 0));

        var (exit, output, error) = await CommandRun.InvokeAsync("plan", "--trace", "file:" + log, "--memory", budget.ToString(), "--policies", "lru",
            "--chart", "", "--target-hit-ratio", "0", "--json", directory.Combine("plan.json"));

        Assert.True(exit == 0, error);
        Assert.Contains("40 models of the access log", output, StringComparison.Ordinal);
        using var plan = JsonDocument.Parse(await File.ReadAllTextAsync(directory.Combine("plan.json")));
        var lru = plan.RootElement.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("policy").GetString() == "lru");
        Assert.Equal(measured, lru.GetProperty("hitRatio").GetDouble(), 9);

        IEnumerable<string> SampleArtifacts() => Directory.GetFiles(directory.Combine("models"), "*.onnx").Select(Path.GetFileName)!;
    }
}
