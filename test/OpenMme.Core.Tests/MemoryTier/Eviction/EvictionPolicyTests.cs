namespace OpenMme.MemoryTier.Eviction;

public sealed class EvictionPolicyTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void Lru_evicts_the_idle_model_used_least_recently()
    {
        var set = new PolicyTestSet("lru", capacity: 3 * MiB);
        var (a, b, c) = (set.Load("a", MiB), set.Load("b", MiB), set.Load("c", MiB));
        set.Hit(a);

        Assert.Equal(["b"], set.LoadEvicting("d", MiB));
        Assert.Equal(["c"], set.LoadEvicting("e", MiB));
        Assert.True(a.IsResident);
        Assert.False(b.IsResident || c.IsResident);
    }

    [Fact]
    public void A_model_in_use_or_pinned_is_passed_over_and_stays_in_the_policy()
    {
        var set = new PolicyTestSet("lru", capacity: 3 * MiB);
        var a = set.Load("a", MiB);
        var b = set.Load("b", MiB);
        set.Load("c", MiB);
        a.InUse = true;
        b.InUse = true;

        Assert.Equal(["c"], set.LoadEvicting("d", MiB));

        // What is idle goes, and the load still does not fit: it waits for a model in use to become idle.
        Assert.Equal(["d"], set.LoadEvicting("e", 2 * MiB));
        Assert.False(set.IsResident("e"));
        a.InUse = false;

        Assert.Equal(["a"], set.LoadEvicting("f", 2 * MiB));
        Assert.Equal(2, set.Policy.Count);
        Assert.Equal(set.Budget.Accounted, set.Policy.Bytes);
    }

    [Fact]
    public void Gdsf_evicts_large_cheap_models_before_small_costly_ones()
    {
        var set = new PolicyTestSet("gdsf", capacity: 102 * MiB);
        var smallCostly = set.Load("small", MiB, loadSeconds: 0.5);
        set.Load("large", 100 * MiB, loadSeconds: 0.05);

        Assert.Equal(["large"], set.LoadEvicting("next", 2 * MiB));
        Assert.True(smallCostly.IsResident);
    }

    [Fact]
    public void Gdsf_counts_frequency_and_cost()
    {
        var once = GdsfPolicy.Priority(0, uses: 1, loadSeconds: 1, bytes: 10 * MiB);

        Assert.True(once < GdsfPolicy.Priority(0, uses: 5, loadSeconds: 1, bytes: 10 * MiB));
        Assert.True(once < GdsfPolicy.Priority(0, uses: 1, loadSeconds: 3, bytes: 10 * MiB));
        Assert.True(once > GdsfPolicy.Priority(0, uses: 1, loadSeconds: 1, bytes: 20 * MiB));
    }

    [Fact]
    public void Gdsf_inflation_rises_to_each_evicted_priority_so_idle_models_age_out()
    {
        var set = new PolicyTestSet("gdsf", capacity: 2 * MiB);
        var valuable = set.Load("valuable", MiB, loadSeconds: 1);
        for (var i = 0; i < 5; i++)
        {
            set.Hit(valuable);
        }

        var cheap = set.Load("cheap", MiB, loadSeconds: 0.1);
        var cheapPriority = GdsfPolicy.Priority(0, cheap.Uses, 0.1, MiB);
        Assert.Equal(["cheap"], set.LoadEvicting("fresh-0", MiB, loadSeconds: 0.1));
        Assert.Equal(cheapPriority, set.Policy.Inflation);

        // Each eviction raises L and newcomers carry it: the valuable model (priority 6), idle since, goes once L passes 6.
        var evictions = 1;
        while (valuable.IsResident && evictions < 200)
        {
            set.LoadEvicting($"fresh-{evictions}", MiB, loadSeconds: 0.1);
            evictions++;
        }

        Assert.False(valuable.IsResident);
        Assert.InRange(evictions, 50, 70);
    }

    [Fact]
    public void A_model_that_grows_is_reordered_by_gdsf()
    {
        var set = new PolicyTestSet("gdsf", capacity: 30 * MiB);
        var a = set.Load("a", MiB, loadSeconds: 0.1);
        set.Load("b", 2 * MiB, loadSeconds: 0.1);
        lock (set.Budget.Sync)
        {
            set.Resident.Resize(a, 20 * MiB);
        }

        Assert.Equal(["a"], set.LoadEvicting("c", 10 * MiB));
        Assert.Equal(set.Budget.Accounted, set.Policy.Bytes);
    }

    [Theory]
    [InlineData("lru", typeof(LruPolicy))]
    [InlineData("GDSF", typeof(GdsfPolicy))]
    [InlineData("tinylfu", typeof(TinyLfuPolicy))]
    public void Policies_are_chosen_by_name(string name, Type expected) => Assert.IsType(expected, EvictionPolicies.Create(name, MiB));

    [Fact]
    public void An_unknown_policy_names_the_choices()
    {
        var error = Assert.Throws<ArgumentException>(() => EvictionPolicies.Create("fifo", MiB));

        Assert.Contains("lru, gdsf, tinylfu", error.Message, StringComparison.Ordinal);
        Assert.False(EvictionPolicies.IsKnown("fifo"));
        Assert.True(EvictionPolicies.IsKnown("TinyLFU"));
    }
}
