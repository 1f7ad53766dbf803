namespace OpenMme.Planning;

public sealed class RecommenderTests
{
    [Fact]
    public void The_choice_is_the_least_memory_that_reaches_the_target()
    {
        // 400 models of 100 MB (about 200 MB each in memory), Zipf 1.0.
        var models = Enumerable.Range(0, 400).Select(i => LoadCostModel.Model($"model-{i:D3}.onnx", 100_000_000)).ToList();
        var requests = RequestTrace.Parse("zipf:1.0", models.Count, seed: 1).Take(50_000, new Random(0));
        var profiles = InstanceProfiles.Cpu;

        var (choice, tried) = Recommender.Recommend(models, requests, "tinylfu", 0.7, profiles, maxInstances: 4, modelShare: 0.5);

        Assert.NotNull(choice);
        Assert.True(choice.Result.HitRatio >= 0.7);
        Assert.Contains(choice, tried);
        Assert.InRange(tried.Count, 2, 12);

        // Every candidate with less memory in all that was replayed fell short.
        Assert.All(tried.Where(c => c.TotalMemoryGiB < choice.TotalMemoryGiB), c => Assert.True(c.Result.HitRatio < 0.7));
        var smaller = new CacheSimulation(models, "tinylfu", (long)(choice.ModelBytesPerInstance * 0.7), choice.Count).Run(requests);
        Assert.True(smaller.HitRatio < 0.7, $"30% less memory still reaches {smaller.HitRatio}");
    }

    [Fact]
    public void An_unreachable_target_gives_no_choice()
    {
        var models = Enumerable.Range(0, 50).Select(i => LoadCostModel.Model($"m{i}.onnx", 1_000)).ToList();
        var once = RequestTrace.Parse("once", models.Count, seed: 1).Take(1_000, new Random(0));

        var (choice, tried) = Recommender.Recommend(models, once, "lru", 0.5, InstanceProfiles.Cpu, maxInstances: 2, modelShare: 0.5);

        Assert.Null(choice);
        Assert.All(tried, c => Assert.Equal(0, c.Result.HitRatio));
    }

    [Fact]
    public void The_profiles_are_spec_sections_gpu_types_and_aws_cpu_sizes()
    {
        Assert.Equal((4, 61.0, 12), (InstanceProfiles.Find("ml.p2.xlarge")!.VCpus, InstanceProfiles.Find("ml.p2.xlarge")!.MemoryGiB, InstanceProfiles.Find("ml.p2.xlarge")!.GpuMemoryGiB));
        Assert.Equal(64, InstanceProfiles.Find("ML.G5.4XLARGE")!.MemoryGiB);
        Assert.Equal(16, InstanceProfiles.Find("ml.g4dn.xlarge")!.MemoryGiB);
        Assert.Equal(16, InstanceProfiles.Find("ml.r5.large")!.MemoryGiB);
        Assert.Equal(4, InstanceProfiles.Find("ml.c5.large")!.MemoryGiB);
        Assert.All(InstanceProfiles.Cpu, p => Assert.Equal(0, p.Gpus));
        Assert.Equal(12, InstanceProfiles.Gpu.Count);
    }
}
