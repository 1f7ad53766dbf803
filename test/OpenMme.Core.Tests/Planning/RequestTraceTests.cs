using OpenMme.TestSupport;

namespace OpenMme.Planning;

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

    [Theory]
    [InlineData("shift:1.0")]
    [InlineData("shift:1.0:0")]
    [InlineData("shift:x:100")]
    public void A_shift_needs_an_exponent_and_a_phase_length(string spec) => Assert.Throws<ArgumentException>(() => RequestTrace.Parse(spec, 10, 1));

    [Fact]
    public void A_shifting_trace_ranks_the_models_anew_every_phase()
    {
        var trace = RequestTrace.Parse("shift:1.2:20000", 100, seed: 3);
        var requests = trace.Take(60_000, new Random(1));

        var favourites = Enumerable.Range(0, 3).Select(phase => requests.Skip(phase * 20_000).Take(20_000)
            .GroupBy(m => m).OrderByDescending(g => g.Count()).First().Key).ToList();
        Assert.Equal(20_000, trace.PhaseLength);
        Assert.Equal(3, favourites.Distinct().Count());

        // Within a phase the ranking holds: the favourite of its first half is the favourite of its second.
        var secondHalf = requests.Skip(30_000).Take(10_000).GroupBy(m => m).OrderByDescending(g => g.Count()).First().Key;
        Assert.Equal(favourites[1], secondHalf);
    }

    [Fact]
    public void A_replay_reads_names_one_per_line_or_an_access_log()
    {
        using var folder = new TempDirectory();
        var names = new[] { "a.onnx", "b.onnx", "c.onnx" };
        var lines = folder.Combine("lines.txt");
        File.WriteAllLines(lines, ["# comment", "b.onnx", "", "a.onnx", "b.onnx"]);
        var log = folder.Combine("access.jsonl");
        File.WriteAllLines(log,
        [
            """{"time":"2026-12-01T10:00:00.000000Z","model":"c.onnx","bytes":462144,"outcome":"miss","loadSeconds":0.004}""",
            """{"time":"2026-12-01T10:00:00.010000Z","model":"c.onnx","bytes":462144,"outcome":"hit","loadSeconds":0}""",
            """{"time":"2026-12-01T10:00:00.020000Z","model":"a.onnx","bytes":462144,"outcome":"disk","loadSeconds":0.002}""",
        ]);

        Assert.Equal([1, 0, 1], RequestTrace.Parse("file:" + lines, 3, 1, false, names).Take(10, new Random(1)));
        Assert.Equal([2, 2, 0], RequestTrace.Parse("file:" + log, 3, 1, false, names).Take(10, new Random(1)));
        var unknown = Assert.Throws<ArgumentException>(() => RequestTrace.Parse("file:" + log, 2, 1, false, names[..2]));
        Assert.Contains("'c.onnx'", unknown.Message, StringComparison.Ordinal);
    }
}
