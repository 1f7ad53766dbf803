using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace OpenMme.Cli.Fleet;

/// <summary>
/// Homes as instances come and go: a fourth instance joins three, is killed, and is started again
/// on the same address. Rendezvous hashing moves only the models whose first choice it is.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class FleetRejoinTests(ITestOutputHelper output)
{
    private static readonly string[] Addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];

    /// <summary>Model names whose homes are compared; they need not exist, placement is by name.</summary>
    private static readonly string[] Names = Enumerable.Range(0, 100).Select(i => string.Create(CultureInfo.InvariantCulture, $"tenant-{i:D3}/model.tar.gz")).ToArray();

    [Fact]
    public async Task An_instance_that_joins_leaves_and_restarts_on_its_address_moves_only_its_own_share_of_homes()
    {
        // 40 samples: the chance that none is homed on the fourth instance is (3/4)^40, about 1e-5.
        using var fleet = LoopbackFleet.Create(40);
        var old = new List<string>();
        foreach (var address in Addresses[..3])
        {
            old.Add(await fleet.StartHostAsync(address));
        }

        // The fourth is named from the start but not running: the router takes it out at its checks.
        var fourth = fleet.IdOf(Addresses[3]);
        await fleet.StartRouterAsync(fleet.InstanceArguments(Addresses));
        var clock = Stopwatch.StartNew();
        var (three, _) = await fleet.WaitForAsync(v => !v.IsHealthy(fourth) && old.All(v.IsHealthy), TimeSpan.FromSeconds(30), $"{fourth} out, the others in", clock, Names);
        Assert.All(Names, n => Assert.Contains(three.Homes[n], old));

        await fleet.StartHostAsync(Addresses[3]);
        var (four, _) = await fleet.WaitForAsync(v => v.IsHealthy(fourth), TimeSpan.FromSeconds(30), $"{fourth} joins", clock, Names);
        var moved = Names.Where(n => four.Homes[n] != three.Homes[n]).ToArray();
        Assert.All(moved, n => Assert.True(four.Homes[n] == fourth, $"{n} moved from {three.Homes[n]} to {four.Homes[n]}, between two old instances"));
        Assert.InRange(moved.Length, 10, 40);
        await AssertAnsweredAtHomeAsync(fleet, fourth);

        fleet.Kill(Addresses[3]);
        var (left, _) = await fleet.WaitForAsync(v => !v.IsHealthy(fourth), TimeSpan.FromSeconds(30), $"{fourth} out after SIGKILL", clock, Names);
        Assert.All(Names, n => Assert.True(left.Homes[n] == three.Homes[n], $"{n} is homed on {left.Homes[n]} with {fourth} gone, was {three.Homes[n]} before it joined"));

        await fleet.StartHostAsync(Addresses[3]);
        var (rejoined, _) = await fleet.WaitForAsync(v => v.IsHealthy(fourth), TimeSpan.FromSeconds(30), $"{fourth} rejoins on its address", clock, Names);
        Assert.All(Names, n => Assert.True(rejoined.Homes[n] == four.Homes[n], $"{n} is homed on {rejoined.Homes[n]} after {fourth} rejoined, was {four.Homes[n]}"));
        await AssertAnsweredAtHomeAsync(fleet, fourth);

        output.WriteLine($"Rejoin: {moved.Length} of {Names.Length} homes moved to {fourth} when it joined three, all of them back when it left, "
            + "and the same ones again when it restarted on its address.");
    }

    /// <summary>Every sample is answered correctly, by its home, and some by <paramref name="instance"/>.</summary>
    private static async Task AssertAnsweredAtHomeAsync(LoopbackFleet fleet, string instance)
    {
        var homes = (await fleet.PlacementAsync(fleet.Samples.Select(s => s.Name))).Homes;
        var answers = await fleet.InvokeEachAsync();
        for (var i = 0; i < answers.Length; i++)
        {
            Assert.True(answers[i].Succeeded, answers[i].Problem);
            Assert.True(answers[i].Instance == homes[fleet.Samples[i].Name],
                $"{fleet.Samples[i].Name}, homed on {homes[fleet.Samples[i].Name]}, was answered by {answers[i].Instance} ({answers[i].Route})");
        }

        Assert.Contains(answers, a => a.Instance == instance);
    }
}
