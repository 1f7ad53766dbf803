namespace OpenMme.Cli.Bench;

public sealed class RequestTraceTests
{
    [Fact]
    public void Once_targets_every_model_exactly_once_then_ends()
    {
        var trace = RequestTrace.Parse("once", 50, seed: 3);
        var random = new Random(1);
        var seen = new List<int>();
        while (trace.TryNext(random, out var model))
        {
            seen.Add(model);
        }

        Assert.Equal(Enumerable.Range(0, 50), seen.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), seen);
    }

    [Fact]
    public void Zipf_makes_the_top_rank_far_more_frequent_than_the_median()
    {
        var trace = RequestTrace.Parse("zipf:1.0", 100, seed: 3);
        var random = new Random(1);
        var counts = new int[100];
        for (var i = 0; i < 100_000; i++)
        {
            Assert.True(trace.TryNext(random, out var model));
            counts[model]++;
        }

        var sorted = counts.OrderDescending().ToArray();
        // 1/H(100) of the requests go to rank 1: about 19 %; rank 50 gets about 0.4 %.
        Assert.InRange(sorted[0], 17_000, 22_000);
        Assert.InRange(sorted[49], 200, 700);
    }

    [Theory]
    [InlineData("zipf")]
    [InlineData("zipf:-1")]
    [InlineData("random")]
    public void Unknown_traces_are_refused_with_the_choices(string spec)
    {
        var error = Assert.Throws<ArgumentException>(() => RequestTrace.Parse(spec, 10, 1));

        Assert.Contains("once, uniform, zipf:S", error.Message, StringComparison.Ordinal);
    }
}
