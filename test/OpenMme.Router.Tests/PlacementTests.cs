namespace OpenMme.Router;

/// <summary>Rendezvous placement: stable, agreed, moving about 1/N of models per change, sticky, spilling when busy.</summary>
public sealed class PlacementTests
{
    private static readonly string[] Models = Enumerable.Range(0, 1000).Select(i => $"customer-{i:D4}.onnx").ToArray();

    [Fact]
    public void Two_routers_with_the_same_instances_agree_on_every_models_order()
    {
        var a = Instances(4);
        var b = Instances(4).Reverse().ToArray();

        foreach (var model in Models.Take(200))
        {
            Assert.Equal(Placement.Rank(model, a).Select(i => i.Id), Placement.Rank(model, b).Select(i => i.Id));
        }
    }

    [Fact]
    public void Homes_spread_about_evenly()
    {
        var instances = Instances(4);

        var counts = Models.GroupBy(m => Placement.Home(m, instances)!.Id).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 180, 320));
    }

    [Fact]
    public void Adding_an_instance_moves_about_one_in_n_models_and_only_to_the_new_one()
    {
        var three = Instances(3);
        var four = Instances(4);

        var moved = 0;
        foreach (var model in Models)
        {
            var before = Placement.Home(model, three)!.Id;
            var after = Placement.Home(model, four)!.Id;
            if (before != after)
            {
                moved++;
                Assert.Equal(four[3].Id, after);
            }
        }

        Assert.InRange(moved / (double)Models.Length, 0.18, 0.32);
    }

    [Fact]
    public void Removing_an_instance_moves_only_its_own_models()
    {
        var four = Instances(4);
        var three = four.Take(3).ToArray();

        foreach (var model in Models)
        {
            var before = Placement.Home(model, four)!.Id;
            var after = Placement.Home(model, three)!.Id;
            Assert.True(before == after || before == four[3].Id, $"{model} moved from {before} to {after}");
        }
    }

    [Fact]
    public void A_request_goes_home_then_sticks_to_a_loaded_copy_and_spills_when_its_instance_is_busy()
    {
        var instances = Instances(3);
        var placement = new Placement(PlacementPolicy.Rendezvous, spillThreshold: 2);
        var model = Models[7];
        var order = Placement.Rank(model, instances);

        Assert.Equal(new Route(order[0], RouteReason.Home), placement.Choose(model, instances));

        // Loaded only on the second choice (say, after a failover): it stays there while the home lacks it.
        order[1].Loaded(model);
        Assert.Equal(new Route(order[1], RouteReason.Sticky), placement.Choose(model, instances));

        // Two requests in flight on it reach the threshold: the next goes to the first instance under it.
        using (order[1].Enter(model))
        using (order[1].Enter(model))
        {
            Assert.Equal(new Route(order[0], RouteReason.Home), placement.Choose(model, instances));
            using (order[0].Enter(model))
            using (order[0].Enter(model))
            {
                Assert.Equal(new Route(order[2], RouteReason.Spill), placement.Choose(model, instances));
                using (order[2].Enter(model))
                using (order[2].Enter(model))
                using (order[2].Enter(model))
                {
                    // Every instance is at the threshold: the least busy one takes the excess (the home, first of two at two).
                    Assert.Equal(new Route(order[0], RouteReason.Home), placement.Choose(model, instances));
                }
            }
        }

        Assert.Equal(0, order[1].InFlightFor(model));
    }

    [Fact]
    public void With_every_instance_busy_the_least_busy_takes_the_request_as_a_spill_unless_it_is_the_first_choice()
    {
        var instances = Instances(2);
        var placement = new Placement(PlacementPolicy.Rendezvous, spillThreshold: 1);
        var model = Models[5];
        var order = Placement.Rank(model, instances);
        using var a = order[0].Enter(model);
        using var b = order[0].Enter(model);
        using var c = order[1].Enter(model);

        Assert.Equal(new Route(order[1], RouteReason.Spill), placement.Choose(model, instances));
        Assert.Equal(new Route(order[0], RouteReason.Home), placement.Choose(model, [order[0]]));
    }

    [Fact]
    public void Without_spill_a_busy_home_still_takes_every_request()
    {
        var instances = Instances(3);
        var placement = new Placement(PlacementPolicy.Rendezvous, spillThreshold: 0);
        var model = Models[3];
        var home = Placement.Home(model, instances)!;
        var scopes = Enumerable.Range(0, 50).Select(_ => home.Enter(model)).ToList();

        Assert.Equal(new Route(home, RouteReason.Home), placement.Choose(model, instances));
        scopes.ForEach(s => s.Dispose());
    }

    [Fact]
    public void A_failover_skips_the_instances_already_tried_in_order()
    {
        var instances = Instances(3);
        var placement = new Placement(PlacementPolicy.Rendezvous, spillThreshold: 4);
        var model = Models[11];
        var order = Placement.Rank(model, instances);

        Assert.Equal(order[1], placement.Choose(model, instances, [order[0]])!.Value.Instance);
        Assert.Equal(order[2], placement.Choose(model, instances, [order[0], order[1]])!.Value.Instance);
        Assert.Null(placement.Choose(model, instances, order));
    }

    [Fact]
    public void Random_placement_uses_every_instance()
    {
        var instances = Instances(3);
        var placement = new Placement(PlacementPolicy.Random, spillThreshold: 0);

        var chosen = Enumerable.Range(0, 300).Select(_ => placement.Choose(Models[0], instances)!.Value).ToList();

        Assert.All(chosen, r => Assert.Equal(RouteReason.Random, r.Reason));
        Assert.Equal(3, chosen.Select(r => r.Instance.Id).Distinct().Count());
    }

    [Fact]
    public void An_instance_takes_requests_after_its_first_check_leaves_after_failed_checks_or_one_failed_delivery_and_rejoins_when_it_answers()
    {
        var instance = Instances(1)[0];
        Assert.False(instance.IsHealthy);
        Assert.True(instance.Succeeded());

        Assert.False(instance.Failed(unhealthyAfter: 2, delivery: false));
        Assert.True(instance.IsHealthy);
        Assert.True(instance.Failed(unhealthyAfter: 2, delivery: false));
        Assert.False(instance.IsHealthy);
        Assert.True(instance.Succeeded());
        Assert.True(instance.IsHealthy);
        Assert.True(instance.Failed(unhealthyAfter: 2, delivery: true));
        Assert.False(instance.IsHealthy);
    }

    private static FleetInstance[] Instances(int count) =>
        Enumerable.Range(0, count).Select(i => new FleetInstance(new Uri($"http://127.0.0.{i + 2}:8080/"))).ToArray();
}
