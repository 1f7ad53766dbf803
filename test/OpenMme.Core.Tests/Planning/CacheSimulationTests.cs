using OpenMme.MemoryTier.Eviction;

namespace OpenMme.Planning;

/// <summary>The planner's replay on a small grid, against the bounds computed on the same requests.</summary>
public sealed class CacheSimulationTests
{
    private static readonly PlanModel[] Models = [.. Enumerable.Range(0, 300).Select(i => LoadCostModel.Model($"model-{i:D3}.onnx", 100_000))];

    [Theory]
    [InlineData(0.8)]
    [InlineData(1.0)]
    [InlineData(1.2)]
    public void On_zipf_tinylfu_hits_at_least_as_often_as_lru_and_nothing_beats_belady(double exponent)
    {
        var requests = RequestTrace.Parse($"zipf:{exponent}", Models.Length, seed: 1).Take(100_000, new Random(0));
        var homes = new int[Models.Length];
        foreach (var share in (double[])[0.05, 0.1, 0.2])
        {
            var memory = (long)(Models.Sum(m => m.Bytes) * share);
            var online = OptimalBounds.Static(Models, homes, memory, requests);
            var belady = OptimalBounds.Belady(Models, homes, memory, requests);
            var results = EvictionPolicies.All.ToDictionary(p => p, p => new CacheSimulation(Models, p, memory, 1).Run(requests));

            Assert.True(online.HitRatio <= belady.HitRatio, $"online optimum {online.HitRatio} above Belady {belady.HitRatio} at {share:P0}");
            Assert.All(results, r => Assert.True(r.Value.HitRatio <= belady.HitRatio, $"{r.Key} {r.Value.HitRatio} above Belady {belady.HitRatio} at {share:P0}"));
            Assert.True(results["tinylfu"].HitRatio >= results["lru"].HitRatio, $"tinylfu {results["tinylfu"].HitRatio} below lru {results["lru"].HitRatio} at {share:P0}");
            Assert.True(results["tinylfu"].HitRatio >= 0.95 * online.HitRatio, $"tinylfu {results["tinylfu"].HitRatio} under 0.95 of the online optimum {online.HitRatio}");
        }
    }

    [Theory]
    [InlineData("shift:1.0:50000")]
    [InlineData("shift:0.8:50000")]
    public void When_popularity_shifts_tinylfu_is_never_more_than_a_point_below_lru_in_any_block(string trace)
    {
        var requests = RequestTrace.Parse(trace, Models.Length, seed: 1).Take(300_000, new Random(0));
        foreach (var share in (double[])[0.05, 0.1, 0.2])
        {
            var memory = (long)(Models.Sum(m => m.Bytes) * share);
            var lru = new CacheSimulation(Models, "lru", memory, 1).Run(requests, segmentLength: 2_500).SegmentHitRatios;
            var tinylfu = new CacheSimulation(Models, "tinylfu", memory, 1).Run(requests, segmentLength: 2_500).SegmentHitRatios;

            var worst = Enumerable.Range(0, lru.Count).Min(b => tinylfu[b] - lru[b]);

            Assert.True(worst >= -0.01, $"tinylfu {worst:+0.000;-0.000} against lru in its worst block of 2,500 requests at {share:P0}");
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(0.9)]
    public void Among_large_slow_models_and_small_fast_ones_tinylfu_spends_no_more_load_time_than_gdsf(double share)
    {
        PlanModel[] models = [.. Enumerable.Range(0, 64).Select(i => LoadCostModel.Model($"model-{i:D4}.onnx", i < 4 ? 20_000_000 : 200_000))];
        var requests = RequestTrace.Parse("zipf:1.0", models.Length, 1, rankByName: true, [.. models.Select(m => m.Name)]).Take(300_000, new Random(0));
        var memory = (long)(models.Sum(m => m.Bytes) * share);

        var gdsf = new CacheSimulation(models, "gdsf", memory, 1).Run(requests);
        var tinylfu = new CacheSimulation(models, "tinylfu", memory, 1).Run(requests);

        Assert.True(tinylfu.LoadSeconds <= gdsf.LoadSeconds, $"tinylfu {tinylfu.LoadSeconds:F1} s of loading, gdsf {gdsf.LoadSeconds:F1} s at {share:P0}");
    }

    [Fact]
    public void The_sums_agree_with_the_outcomes()
    {
        var requests = RequestTrace.Parse("zipf:1.0", Models.Length, seed: 2).Take(20_000, new Random(0));
        var outcomes = new MemoryTier.CacheOutcome[requests.Length];
        var memory = Models[0].Bytes * 30;

        var result = new CacheSimulation(Models, "tinylfu", memory, 1).Run(requests, outcomes, segmentLength: 5_000);

        Assert.Equal(outcomes.Count(o => o == MemoryTier.CacheOutcome.Hit), result.Hits);
        Assert.Equal(requests.Length - result.Hits, result.Loads);
        Assert.Equal(requests.Distinct().Count(), outcomes.Count(o => o == MemoryTier.CacheOutcome.Miss));
        Assert.Equal(result.Loads - 30, result.Evictions);
        Assert.Equal(4, result.SegmentHitRatios.Count);
        Assert.Equal(result.HitRatio, result.SegmentHitRatios.Average(), 9);
        var downloads = requests.Distinct().Sum(m => Models[m].DownloadSeconds);
        Assert.Equal((result.Loads * Models[0].CreateSeconds) + downloads, result.LoadSeconds, 6);
    }

    [Fact]
    public void Instances_split_the_models_and_each_keeps_its_own_budget()
    {
        var requests = RequestTrace.Parse("uniform", Models.Length, seed: 2).Take(20_000, new Random(0));
        var homes = Placement.Rendezvous([.. Models.Select(m => m.Name)], 3);

        var result = new CacheSimulation(Models, "lru", Models[0].Bytes * 10, 3).Run(requests);

        Assert.Equal(3, homes.Distinct().Count());
        Assert.InRange(homes.Count(h => h == 0), 70, 130);
        // Three instances of ten models each hold 30 of 300 models: about a tenth of uniform requests hit.
        Assert.InRange(result.HitRatio, 0.08, 0.12);
        Assert.Equal(homes, Placement.Rendezvous([.. Models.Select(m => m.Name)], 3));
    }

    [Fact]
    public void A_model_larger_than_the_memory_is_refused_without_evicting_anything()
    {
        PlanModel[] models = [LoadCostModel.Model("small.onnx", 1_000), LoadCostModel.Model("huge.onnx", 10_000_000)];

        var result = new CacheSimulation(models, "tinylfu", models[0].Bytes * 2, 1).Run([0, 1, 0, 1, 0]);

        Assert.Equal((2L, 2L, 0L), (result.Hits, result.Refused, result.Evictions));
    }
}
