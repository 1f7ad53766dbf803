namespace OpenMme.Planning;

public sealed class OptimalBoundsTests
{
    private static readonly PlanModel[] ThreeOfOneSize = [new("a", 10, 0.001, 0.002), new("b", 10, 0.001, 0.002), new("c", 10, 0.001, 0.002)];

    [Fact]
    public void Belady_evicts_the_model_used_again_furthest_ahead()
    {
        // a b c a b c a b with room for two: MIN keeps a and b, never c (used again later than both).
        int[] requests = [0, 1, 2, 0, 1, 2, 0, 1];

        var belady = OptimalBounds.Belady(ThreeOfOneSize, new int[3], 20, requests);

        Assert.Equal(4, belady.Hits);
        Assert.Equal(4, belady.Loads);
        // Three first loads download; c's second load comes from the disk tier.
        Assert.Equal((4 * 0.001) + (3 * 0.002), belady.LoadSeconds, 9);
    }

    [Fact]
    public void The_online_optimum_keeps_the_most_requested_models_that_fit()
    {
        int[] requests = [2, 0, 1, 0, 1, 0, 2, 0];

        var optimum = OptimalBounds.Static(ThreeOfOneSize, new int[3], 20, requests);

        // a (4 requests) and b (2) are kept from their first request; c (2) loads each time.
        Assert.Equal(3 + 1, optimum.Hits);
        Assert.Equal(4, optimum.Loads);
    }

    [Fact]
    public void Per_instance_bounds_keep_each_instances_models_in_its_own_memory()
    {
        int[] requests = [0, 1, 2, 0, 1, 2];
        int[] homes = [0, 1, 1];

        // Instance 0 holds a alone; instance 1 has room for one of b and c.
        var belady = OptimalBounds.Belady(ThreeOfOneSize, homes, 10, requests);

        Assert.Equal(2, belady.Hits);
    }

    [Fact]
    public void A_model_larger_than_an_instance_is_refused_by_the_bounds_too()
    {
        PlanModel[] models = [new("small", 10, 0.001, 0), new("huge", 100, 0.1, 0)];
        int[] requests = [0, 1, 0, 1];

        var belady = OptimalBounds.Belady(models, new int[2], 50, requests);
        var optimum = OptimalBounds.Static(models, new int[2], 50, requests);

        Assert.Equal((1, 2), (belady.Hits, (int)belady.Refused));
        Assert.Equal((1, 2), (optimum.Hits, (int)optimum.Refused));
    }
}
