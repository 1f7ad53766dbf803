namespace OpenMme.MemoryTier.Eviction;

public sealed class HitRatioDropTests
{
    private const int Sample = HitRatioDrop.MinimumSample;

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Stationary_traffic_never_trips_it(double hitRatio)
    {
        var drop = new HitRatioDrop();
        var random = new Random(17);

        var tripped = Replay(drop, random, hitRatio, 0, 2_000_000);

        Assert.Equal(0, tripped);
        Assert.InRange(drop.Mean, hitRatio - 0.03, hitRatio + 0.03);
    }

    [Fact]
    public void A_sudden_fall_trips_it_once_within_two_samples()
    {
        var drop = new HitRatioDrop();
        var random = new Random(5);
        Assert.Equal(0, Replay(drop, random, 0.8, 0, 50_000));

        var requests = 50_000L;
        var firstTrip = -1L;
        var trips = 0;
        for (; requests < 100_000; requests++)
        {
            if (random.NextDouble() >= 0.3)
            {
                drop.Miss();
            }

            if (drop.Dropped(requests + 1, Sample))
            {
                trips++;
                firstTrip = firstTrip < 0 ? requests - 50_000 : firstTrip;
            }
        }

        Assert.Equal(1, trips);
        Assert.InRange(firstTrip, 0, 2 * Sample);
    }

    [Fact]
    public void A_rise_and_the_cold_fill_before_the_first_sample_do_not_trip_it()
    {
        var drop = new HitRatioDrop();
        for (var i = 0; i < 1_000; i++)
        {
            // Memory filling: every request a miss, before the first call that starts sampling.
            drop.Miss();
        }

        var random = new Random(9);
        Assert.Equal(0, Replay(drop, random, 0.1, 1_000, 20_000));
        Assert.Equal(0, Replay(drop, random, 0.9, 21_000, 20_000));
        Assert.True(drop.Mean > 0.8, $"mean {drop.Mean:F3} after the rise");
    }

    /// <summary>Requests that hit with probability <paramref name="hitRatio"/>; returns how often the drop tripped.</summary>
    private static int Replay(HitRatioDrop drop, Random random, double hitRatio, long start, int count)
    {
        var tripped = 0;
        for (var requests = start; requests < start + count; requests++)
        {
            if (random.NextDouble() >= hitRatio)
            {
                drop.Miss();
            }

            tripped += drop.Dropped(requests + 1, Sample) ? 1 : 0;
        }

        return tripped;
    }
}
