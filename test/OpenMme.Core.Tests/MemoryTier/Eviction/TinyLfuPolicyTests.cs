namespace OpenMme.MemoryTier.Eviction;

public sealed class TinyLfuPolicyTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void A_burst_of_one_off_models_does_not_flush_the_popular_ones()
    {
        var kept = new Dictionary<string, int>();
        foreach (var policy in (string[])["tinylfu", "lru"])
        {
            var set = new PolicyTestSet(policy, capacity: 10 * MiB);
            for (var hit = 0; hit < 6; hit++)
            {
                for (var i = 0; i < 10; i++)
                {
                    set.Request($"popular-{i}", MiB);
                }
            }

            for (var i = 0; i < 100; i++)
            {
                set.Request($"one-off-{i}", MiB);
            }

            kept[policy] = Enumerable.Range(0, 10).Count(i => set.IsResident($"popular-{i}"));
            Assert.True(set.IsResident("one-off-99"), "the model just requested is in memory, whatever the policy");
        }

        // One popular model is lost while the memory first overflows (a tie with another popular one); the other nine stay.
        Assert.Equal(9, kept["tinylfu"]);
        Assert.Equal(0, kept["lru"]);
    }

    [Fact]
    public void A_long_scan_of_one_off_models_does_not_flush_the_popular_ones_though_the_hit_ratio_falls()
    {
        var set = new PolicyTestSet("tinylfu", capacity: 10 * MiB);
        var random = new Random(2);
        for (var i = 0; i < 3_000; i++)
        {
            set.Request($"popular-{random.Next(10)}", MiB);
        }

        // Every other request for a model never seen before, for many samples: the hit ratio falls from 1 to 0.5, as when popularity shifts.
        for (var i = 0; i < 20 * HitRatioDrop.MinimumSample; i++)
        {
            set.Request(i % 2 == 0 ? $"one-off-{i}" : $"popular-{random.Next(10)}", MiB);
        }

        Assert.InRange(Enumerable.Range(0, 10).Count(i => set.IsResident($"popular-{i}")), 9, 10);
    }

    [Fact]
    public void After_popularity_shifts_the_new_models_replace_the_old_as_fast_as_in_lru()
    {
        var hitsAfterShift = new Dictionary<string, int>();
        foreach (var policy in (string[])["tinylfu", "lru"])
        {
            // Twenty models in memory out of forty asked for: the first twenty four times as often as the rest, then the others.
            var set = new PolicyTestSet(policy, capacity: 20 * MiB);
            var random = new Random(4);
            for (var i = 0; i < 20_000; i++)
            {
                set.Request($"m-{Pick(random, 0)}", MiB);
            }

            var hits = 0;
            for (var i = 0; i < 2_000; i++)
            {
                hits += set.Request($"m-{Pick(random, 20)}", MiB) ? 1 : 0;
            }

            hitsAfterShift[policy] = hits;
        }

        // Without forgetting, tinylfu kept the old favourites (counts in the thousands) for several agings: 991 hits against lru's 1,295.
        Assert.True(hitsAfterShift["tinylfu"] >= hitsAfterShift["lru"], $"tinylfu {hitsAfterShift["tinylfu"]} hits after the shift, lru {hitsAfterShift["lru"]}");

        static int Pick(Random random, int popularFrom) => random.Next(5) < 4 ? popularFrom + random.Next(20) : (popularFrom + 20 + random.Next(20)) % 40;
    }

    [Fact]
    public void Counts_age_so_models_popular_now_displace_models_popular_before()
    {
        var set = new PolicyTestSet("tinylfu", capacity: 3 * MiB);
        for (var i = 0; i < 600; i++)
        {
            set.Request(i % 2 == 0 ? "old-a" : "old-c", MiB);
        }

        // Their counts are saturated: without aging, nothing asked for since could ever count for more.
        var hits = new List<bool>();
        var oldStayed = true;
        for (var i = 0; i < 4000; i++)
        {
            hits.Add(set.Request(i % 2 == 0 ? "new-b" : "new-e", MiB));
            oldStayed &= i >= 200 || set.IsResident("old-a");
        }

        Assert.True(oldStayed, "a model asked for 300 times was flushed by the first requests of new ones");
        Assert.Contains(false, hits.Take(200));
        Assert.All(hits.TakeLast(500), Assert.True);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(8, true)]
    public void A_large_model_is_kept_only_when_worth_more_than_the_small_ones_it_displaces(int weight, bool kept)
    {
        // Ten small models of weight 1 fill the memory; the large one takes the room of five.
        var set = new PolicyTestSet("tinylfu", capacity: 10 * MiB);
        var random = new Random(7);
        var largeHits = 0;
        var largeRequests = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var pick = random.Next(10 + weight);
            if (pick >= 10)
            {
                largeRequests++;
                largeHits += set.Request("large", 5 * MiB) ? 1 : 0;
            }
            else
            {
                set.Request($"small-{pick}", MiB);
            }
        }

        // Weight 2 is more than any small model's, which a policy blind to size would keep, five small ones out. Not
        // admitted, the large model still answers the requests that come while it waits in the window after each load.
        var largeHitRatio = (double)largeHits / largeRequests;
        Assert.True(kept ? largeHitRatio > 0.9 : largeHitRatio < 0.4, $"large model's hit ratio {largeHitRatio:F3} at weight {weight}");
    }

    [Fact]
    public void A_model_slow_to_load_is_kept_over_fast_ones_asked_for_more_often()
    {
        var hitRatios = new Dictionary<double, double>();
        foreach (var slowSeconds in (double[])[0.001, 1.0])
        {
            var set = new PolicyTestSet("tinylfu", capacity: 5 * MiB);
            var random = new Random(11);
            var hits = 0;
            var requests = 0;
            for (var i = 0; i < 20_000; i++)
            {
                // Eight fast models of weight 3 compete for five places with one model of weight 2.
                var pick = random.Next(26);
                if (pick >= 24)
                {
                    requests++;
                    hits += set.Request("slow", MiB, slowSeconds) ? 1 : 0;
                }
                else
                {
                    set.Request($"fast-{pick % 8}", MiB, 0.001);
                }
            }

            hitRatios[slowSeconds] = (double)hits / requests;
        }

        Assert.True(hitRatios[0.001] < 0.3, $"at equal cost the least requested model is not kept: hit ratio {hitRatios[0.001]:F3}");
        Assert.True(hitRatios[1.0] > 0.9, $"a model a thousand times slower to load is kept: hit ratio {hitRatios[1.0]:F3}");
    }

    [Fact]
    public void Unloads_and_evictions_leave_the_policy_holding_exactly_what_is_accounted()
    {
        var set = new PolicyTestSet("tinylfu", capacity: 8 * MiB);
        var random = new Random(3);
        for (var i = 0; i < 5_000; i++)
        {
            var name = $"m-{random.Next(30)}";
            set.Request(name, (1 + random.Next(3)) * MiB);
            if (random.Next(20) == 0 && set.Entry(name) is { IsResident: true } unloaded)
            {
                lock (set.Budget.Sync)
                {
                    set.Resident.Remove(unloaded);
                    set.Resident.Release(unloaded);
                }

                unloaded.IsResident = false;
            }
        }

        Assert.Equal(set.Budget.Accounted, set.Policy.Bytes);
        Assert.Equal(set.ResidentCount, set.Policy.Count);
        Assert.InRange(set.Budget.Accounted, 1, 8 * MiB);
    }
}
