using OpenMme.MemoryTier;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Planning;

namespace OpenMme.Cli.Plan;

/// <summary>
/// The planner's decision core against the memory tier itself: the same requests through real
/// ModelCaches (simulated store and runtime, fake clock) give the same outcome for every request.
/// </summary>
public sealed class FullCacheReplayTests
{
    public static TheoryData<string> Policies => [.. EvictionPolicies.All];

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task The_decision_core_decides_every_request_as_the_memory_tier_does(string policy)
    {
        // Two sizes, so size and cost weigh in; Zipf over 100 models with room for about a tenth of them, long
        // enough for GDSF's L to grow to where the last bit of a cost decides ties.
        var models = Enumerable.Range(0, 100).Select(i => LoadCostModel.Model($"model-{i:D3}.onnx", i % 5 == 0 ? 400_000 : 40_000)).ToList();
        var requests = RequestTrace.Parse("zipf:0.9", models.Count, seed: 4).Take(15_000, new Random(0));
        var memory = models.Sum(m => m.Bytes) / 10;
        var core = new CacheOutcome[requests.Length];
        var full = new CacheOutcome[requests.Length];

        var simulated = new CacheSimulation(models, policy, memory, 1).Run(requests, core);
        var replayed = await FullCacheReplay.RunAsync(models, requests, policy, memory, 1, outcomes: full);

        var first = Enumerable.Range(0, requests.Length).FirstOrDefault(i => core[i] != full[i], -1);
        Assert.True(first < 0, $"request {first} for {models[requests[Math.Max(first, 0)]].Name}: core {core[Math.Max(first, 0)]}, memory tier {full[Math.Max(first, 0)]}");
        Assert.Equal(simulated, replayed with { SegmentHitRatios = simulated.SegmentHitRatios });
        Assert.InRange(simulated.HitRatio, 0.2, 0.95);
    }

    [Fact]
    public async Task Several_instances_agree_too()
    {
        var models = Enumerable.Range(0, 40).Select(i => LoadCostModel.Model($"model-{i:D2}.onnx", 20_000)).ToList();
        var requests = RequestTrace.Parse("shift:1.0:500", models.Count, seed: 4).Take(2_000, new Random(0));
        var core = new CacheOutcome[requests.Length];
        var full = new CacheOutcome[requests.Length];

        new CacheSimulation(models, "tinylfu", models[0].Bytes * 5, 3).Run(requests, core);
        await FullCacheReplay.RunAsync(models, requests, "tinylfu", models[0].Bytes * 5, 3, outcomes: full);

        Assert.Equal(core, full);
    }

    [Fact]
    public async Task Models_the_memory_tier_would_measure_are_refused_with_the_reason()
    {
        List<PlanModel> models = [LoadCostModel.Model("big.onnx", 20_000_000)];

        var error = await Assert.ThrowsAsync<ArgumentException>(() => FullCacheReplay.RunAsync(models, new[] { 0 }, "lru", 1L << 30, 1));

        Assert.Contains("--engine core", error.Message, StringComparison.Ordinal);
    }
}
