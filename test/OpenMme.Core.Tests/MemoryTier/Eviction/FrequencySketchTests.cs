namespace OpenMme.MemoryTier.Eviction;

public sealed class FrequencySketchTests
{
    [Fact]
    public void Estimates_are_never_below_the_counts_and_exact_without_collisions()
    {
        var sketch = new FrequencySketch(4096);
        var random = new Random(5);
        var counts = new Dictionary<ulong, int>();
        for (var i = 0; i < 20_000; i++)
        {
            var key = (ulong)random.Next(500) * 0x9E37_79B9UL;
            sketch.Add(key, 1);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        Assert.All(counts, pair => Assert.True(sketch.Estimate(pair.Key) >= pair.Value, $"{pair.Key}: {sketch.Estimate(pair.Key)} < {pair.Value}"));
        var exact = counts.Count(pair => sketch.Estimate(pair.Key) == pair.Value);
        Assert.True(exact >= counts.Count * 0.95, $"only {exact} of {counts.Count} estimates exact in a sketch eight times wider than the keys");
        Assert.Equal(0, sketch.Estimate(0xDEAD_BEEF_CAFEUL));
    }

    [Fact]
    public void Halving_ages_every_count_and_counts_saturate()
    {
        var sketch = new FrequencySketch(64);
        sketch.Add(1, 10);
        sketch.Add(2, 3);
        sketch.Add(3, 1_000_000);

        sketch.Halve();

        Assert.Equal(5, sketch.Estimate(1));
        Assert.Equal(1, sketch.Estimate(2));
        Assert.Equal(FrequencySketch.MaxCount / 2, sketch.Estimate(3));
    }

    [Fact]
    public void Capping_keeps_whether_a_name_was_asked_for_not_how_often()
    {
        var sketch = new FrequencySketch(64);
        sketch.Add(1, 5_000);
        sketch.Add(2, 1);

        sketch.Cap(1);
        sketch.Add(3, 2);

        Assert.Equal((1, 1, 2, 0), (sketch.Estimate(1), sketch.Estimate(2), sketch.Estimate(3), sketch.Estimate(4)));
    }

    [Fact]
    public void Resizing_widens_the_rows_and_starts_counting_again()
    {
        var sketch = new FrequencySketch(100);
        sketch.Add(7, 4);
        Assert.Equal(128, sketch.Width);

        sketch.Resize(2 * sketch.Width);

        Assert.Equal(256, sketch.Width);
        Assert.Equal(0, sketch.Estimate(7));
    }
}
