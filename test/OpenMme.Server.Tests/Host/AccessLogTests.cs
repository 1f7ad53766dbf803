using System.Text.Json;
using OpenMme.MemoryTier;
using OpenMme.Planning;
using OpenMme.Samples;
using OpenMme.Telemetry;
using OpenMme.TestSupport;
using OpenMme.Wire;

namespace OpenMme.Host;

/// <summary>The access log a real instance writes, read back and replayed by the planner.</summary>
public sealed class AccessLogTests
{
    /// <summary>One instance's access log and cache; serve --instances writes one log per instance.</summary>
    [Fact]
    [Trait("Scope", "Instance")]
    public async Task Every_answered_request_is_logged_as_answered_and_replays_to_the_same_outcomes()
    {
        var samples = Enumerable.Range(0, 12).Select(i => SampleModelFactory.Create(i, 20_000)).ToList();
        var footprint = samples.Max(s => ModelFootprint.Estimate(s.Onnx.Length));
        var logPath = Path.Combine(Path.GetTempPath(), $"openmme-access-{Guid.NewGuid():N}.jsonl");
        var headers = new List<string>();
        var bytes = new Dictionary<string, long>();
        var requests = RequestTrace.Parse("zipf:1.0", samples.Count, seed: 5).Take(150, new Random(0));
        await using (var host = await HostFixture.StartAsync(s => s with
        {
            MemoryBudgetBytes = 4 * footprint,
            EvictionPolicy = "lru",
            AccessLogPath = logPath,
        }))
        {
            foreach (var sample in samples)
            {
                await host.PutAsync(sample.Name, sample.Onnx);
            }

            foreach (var index in requests)
            {
                using var response = await host.InvokeSampleAsync(samples[index]);
                await HostFixture.AssertExpectedAsync(samples[index], response);
                headers.Add(HostFixture.Header(response, SageMakerHeaders.Cache));
                if (host.Cache.Describe(samples[index].Name) is { } described)
                {
                    bytes[described.Name] = described.Bytes;
                }
            }

            // A failed request answers nothing from the memory tier, and is not logged.
            using var missing = await host.InvokeAsync("absent.onnx", "{}");
            Assert.Equal(400, (int)missing.StatusCode);
        }

        try
        {
            // The instance has stopped: every line is on disk.
            var records = AccessLog.Read(logPath);
            Assert.Equal(headers, records.Select(r => CacheOutcomeNames.Of(r.Outcome)));
            Assert.Equal(requests.Select(i => samples[i].Name), records.Select(r => r.Model));
            Assert.All(records, r => Assert.Equal(bytes[r.Model], r.Bytes));
            Assert.All(records, r => Assert.True(r.Outcome == CacheOutcome.Hit ? r.LoadSeconds == 0 : r.LoadSeconds > 0, $"{r.Outcome} after {r.LoadSeconds} s"));
            Assert.Equal(records.Select(r => r.Time).Order(), records.Select(r => r.Time));
            using (var first = JsonDocument.Parse(File.ReadLines(logPath).First()))
            {
                Assert.Equal(["time", "model", "bytes", "outcome", "loadSeconds"], first.RootElement.EnumerateObject().Select(p => p.Name));
            }

            // The planner's replay of the log decides every request as the instance did.
            var (models, replayed) = AccessLogReplay.Read(logPath);
            var outcomes = new CacheOutcome[replayed.Length];
            var result = new CacheSimulation(models, "lru", 4 * footprint, 1).Run(replayed, outcomes);
            Assert.Equal(records.Select(r => r.Outcome), outcomes);
            Assert.Equal(headers.Count(h => h == "hit"), result.Hits);
        }
        finally
        {
            File.Delete(logPath);
        }
    }

    [Fact]
    public void A_log_file_where_none_can_be_written_is_refused_at_start()
    {
        var problems = new ModelHostSettings { ModelSource = Path.GetTempPath(), AccessLogPath = Path.Combine(Path.GetTempPath(), "no-such-folder", "access.jsonl") }.Validate();

        Assert.Contains(problems, p => p.StartsWith("--access-log ", StringComparison.Ordinal));
    }
}
