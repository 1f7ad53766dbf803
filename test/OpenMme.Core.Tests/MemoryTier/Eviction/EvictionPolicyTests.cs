namespace OpenMme.MemoryTier.Eviction;

public sealed class EvictionPolicyTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void Lru_ranks_by_last_use_only()
    {
        var policy = new LruPolicy();
        var old = new EvictionCandidate(LastUse: 1, Uses: 100, LoadSeconds: 10, Bytes: MiB, InflationAtUse: 0);
        var recent = new EvictionCandidate(LastUse: 2, Uses: 1, LoadSeconds: 0.001, Bytes: 100 * MiB, InflationAtUse: 0);

        Assert.True(policy.Priority(old) < policy.Priority(recent));
    }

    [Fact]
    public void Gdsf_evicts_large_cheap_models_before_small_costly_ones()
    {
        var policy = new GdsfPolicy();
        var largeCheap = new EvictionCandidate(LastUse: 9, Uses: 1, LoadSeconds: 0.05, Bytes: 100 * MiB, InflationAtUse: 0);
        var smallCostly = new EvictionCandidate(LastUse: 1, Uses: 1, LoadSeconds: 0.5, Bytes: MiB, InflationAtUse: 0);

        Assert.True(policy.Priority(largeCheap) < policy.Priority(smallCostly));
    }

    [Fact]
    public void Gdsf_counts_frequency_and_cost()
    {
        var policy = new GdsfPolicy();
        var once = new EvictionCandidate(1, Uses: 1, LoadSeconds: 1, Bytes: 10 * MiB, InflationAtUse: 0);
        var often = once with { Uses = 5 };
        var slow = once with { LoadSeconds = 3 };

        Assert.True(policy.Priority(once) < policy.Priority(often));
        Assert.True(policy.Priority(once) < policy.Priority(slow));
    }

    [Fact]
    public void Gdsf_inflation_rises_with_evictions_so_idle_models_age_out()
    {
        var policy = new GdsfPolicy();
        var valuable = new EvictionCandidate(1, Uses: 50, LoadSeconds: 1, Bytes: MiB, InflationAtUse: 0);
        var evictedPriority = policy.Priority(valuable);
        policy.Evicted(evictedPriority);
        policy.Evicted(evictedPriority / 2);

        Assert.Equal(evictedPriority, policy.Inflation);
        var freshCheap = new EvictionCandidate(2, Uses: 1, LoadSeconds: 0.01, Bytes: MiB, InflationAtUse: policy.Inflation);
        Assert.True(policy.Priority(freshCheap) > policy.Priority(valuable));
    }

    [Theory]
    [InlineData("lru", typeof(LruPolicy))]
    [InlineData("GDSF", typeof(GdsfPolicy))]
    public void Policies_are_chosen_by_name(string name, Type expected) => Assert.IsType(expected, EvictionPolicies.Create(name));

    [Fact]
    public void An_unknown_policy_names_the_choices()
    {
        var error = Assert.Throws<ArgumentException>(() => EvictionPolicies.Create("fifo"));

        Assert.Contains("lru, gdsf", error.Message, StringComparison.Ordinal);
    }
}
