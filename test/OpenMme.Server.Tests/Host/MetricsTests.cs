using System.Globalization;
using System.Text.RegularExpressions;
using OpenMme.MemoryTier;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Host;

/// <summary>
/// The scraped Prometheus text equals what a scripted sequence of requests must produce. One
/// instance's <c>/metrics</c>: a router answers its own.
/// </summary>
[Collection(ProcessWideMetricsCollection.Name)]
[Trait("Scope", "Instance")]
public sealed partial class MetricsTests
{
    [Fact]
    public async Task Scraped_metrics_equal_the_counts_of_a_scripted_sequence()
    {
        var one = ModelFootprint.Estimate(Enumerable.Range(0, 3).Max(i => SampleModelFactory.Create(i, 10_000).Onnx.Length));
        // The scripted outcomes follow LRU's order (under tinylfu, a, asked for twice, would stay).
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, s => s with { MemoryBudgetBytes = 2 * one, EvictionPolicy = "lru" });
        var a = await host.AddSampleAsync(0, 10_000);
        var b = await host.AddSampleAsync(1, 10_000);
        var c = await host.AddSampleAsync(2, 10_000);
        string[] expectedCache = ["miss", "hit", "miss", "miss", "disk"];
        var sequence = new[] { a, a, b, c, a };
        for (var i = 0; i < sequence.Length; i++)
        {
            using var response = await host.InvokeSampleAsync(sequence[i]);
            await HostFixture.AssertExpectedAsync(sequence[i], response);
            Assert.Equal(expectedCache[i], HostFixture.Header(response, "X-OpenMme-Cache"));
        }

        using (var unknown = await host.InvokeAsync("absent.onnx", "{}"))
        {
            Assert.Equal(400, (int)unknown.StatusCode);
        }

        await host.SettledAsync();
        var metrics = Parse(await host.Client.GetStringAsync("/metrics"));

        Assert.Equal(6, metrics["openmme_invocations_total"]);
        Assert.Equal(1, metrics["openmme_invocation_4xx_errors_total"]);
        Assert.False(metrics.ContainsKey("openmme_invocation_5xx_errors_total"));
        Assert.Equal(1, metrics["openmme_model_cache_lookups_total{result=\"hit\"}"]);
        Assert.Equal(1, metrics["openmme_model_cache_lookups_total{result=\"disk\"}"]);
        Assert.Equal(3, metrics["openmme_model_cache_lookups_total{result=\"miss\"}"]);
        var lookups = metrics.Where(m => m.Key.StartsWith("openmme_model_cache_lookups_total", StringComparison.Ordinal)).Sum(m => m.Value);
        Assert.Equal(0.2, metrics["openmme_model_cache_lookups_total{result=\"hit\"}"] / lookups, 10);
        Assert.Equal(2, metrics["openmme_model_evictions_total{reason=\"memory\"}"]);
        Assert.Equal(2, metrics["openmme_loaded_models"]);
        Assert.Equal(4, metrics["openmme_model_loading_time_seconds_count"]);
        Assert.Equal(3, metrics["openmme_model_downloading_time_seconds_count"]);
        Assert.Equal(4, metrics["openmme_model_loading_wait_time_seconds_count"]);
        Assert.Equal(2, metrics["openmme_model_unloading_time_seconds_count"]);
        Assert.Equal(5, metrics["openmme_model_latency_seconds_count"]);
        Assert.Equal(5, metrics["openmme_overhead_latency_seconds_count"]);
        Assert.Equal(host.Cache.Counters.AccountedBytes, metrics["openmme_memory_tier_bytes"]);
        Assert.InRange(metrics["openmme_memory_utilization"], 0.0001, 1);
        Assert.InRange(metrics["openmme_cpu_utilization"], 0, 1);
        Assert.InRange(metrics["openmme_disk_utilization"], 0, 1);

        using var described = await host.Client.GetAsync("/models/" + a.Name);
        var description = await described.Content.ReadAsStringAsync();
        Assert.Contains("\"hits\":1,\"misses\":2,\"loads\":2,\"evictions\":1", description, StringComparison.Ordinal);
    }

    /// <summary>Prometheus text to values keyed by name and labels, the scope label left out.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var values = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = Sample().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = string.Join(",", match.Groups["labels"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.StartsWith("otel_scope_name=", StringComparison.Ordinal)));
            var key = labels.Length == 0 ? match.Groups["name"].Value : $"{match.Groups["name"].Value}{{{labels}}}";
            values[key] = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return values;
    }

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?<labels>[^}]*)\\})? (?<value>\\S+)")]
    private static partial Regex Sample();
}
