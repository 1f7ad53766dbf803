using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace OpenMme.Cli.Fleet;

/// <summary>
/// A router that finds its instances through a real DNS server (dnsmasq) answering one name with
/// several A records, as a Kubernetes headless Service does, on one port for all instances.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class FleetDnsTests(ITestOutputHelper output)
{
    private const string Name = "instances.openmme.test";

    /// <summary>Seconds between the router's lookups of the name.</summary>
    private const double DnsInterval = 0.5;

    /// <summary>
    /// A lookup that meets the DNS server while it restarts gives up after DnsInstances' timeout
    /// (2 s) on each of its two tries; the next lookup comes one interval later; a new member
    /// then takes requests at its first /ping, within one health interval.
    /// </summary>
    private static readonly TimeSpan LookupBound = TimeSpan.FromSeconds(DnsInterval + (2 * 2) + DnsInterval + LoopbackFleet.HealthInterval);

    /// <summary>Room for process scheduling on a busy 2-core machine; the bound above is what the router promises.</summary>
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromSeconds(2);

    /// <summary>Models invoked while two instances are known; the rest are first invoked once the third has joined.</summary>
    private const int Before = 20;

    /// <summary>
    /// Models new to the fleet when the third instance joins: a model already loaded stays on its
    /// copy (stickiness), so only new ones show where the router sends a model homed on the new
    /// instance. With 30, the chance that none is homed there is (2/3)^30, about 5e-6.
    /// </summary>
    private const int After = 30;

    [Fact]
    public async Task The_router_finds_every_A_record_of_the_name_and_picks_up_a_record_added_at_its_next_lookup()
    {
        using var fleet = LoopbackFleet.Create(Before + After);
        var first = await fleet.StartHostAsync("127.0.0.2");
        var second = await fleet.StartHostAsync("127.0.0.3");
        using var dns = await DnsmasqProcess.StartAsync(Name, "127.0.0.2", "127.0.0.3");
        await fleet.StartRouterAsync("--dns", $"{Name}:{fleet.Port}", "--dns-server", dns.Endpoint, "--dns-interval", DnsInterval.ToString(CultureInfo.InvariantCulture));

        var view = await fleet.PlacementAsync();
        Assert.True(view.Instances.Select(i => i.Id).Order(StringComparer.Ordinal).SequenceEqual([first, second]),
            $"instances {string.Join(", ", view.Instances.Select(i => i.Id))}, expected {first} and {second}. Router output:\n{fleet.RouterOutput}");
        Assert.All(view.Instances, i => Assert.True(i.Healthy, $"{i.Id} is not healthy"));
        var answers = await fleet.InvokeEachAsync(Enumerable.Range(0, Before));
        Assert.All(answers, a => Assert.True(a.Succeeded, a.Problem));
        Assert.Equal([first, second], answers.Select(a => a.Instance).Distinct().Order(StringComparer.Ordinal));

        // A third instance, then its record: the router finds it at its next lookup.
        var third = await fleet.StartHostAsync("127.0.0.4");
        var clock = Stopwatch.StartNew();
        await dns.RestartAsync("127.0.0.2", "127.0.0.3", "127.0.0.4");
        var restarted = clock.Elapsed;
        var (joined, at) = await fleet.WaitForAsync(v => v.Instance(third) is { Healthy: true }, TimeSpan.FromSeconds(60), $"{third} joins after its A record is added", clock,
            fleet.Samples.Select(s => s.Name));
        Assert.True(at - restarted <= LookupBound + SchedulingSlack, $"{third} joined {(at - restarted).TotalSeconds:0.00} s after its record was added");
        Assert.Equal([first, second, third], joined.Instances.Select(i => i.Id).Order(StringComparer.Ordinal));

        var models = Enumerable.Range(Before, After).ToArray();
        var homedOnThird = models.Where(m => joined.Homes[fleet.Samples[m].Name] == third).ToArray();
        Assert.NotEmpty(homedOnThird);
        answers = await fleet.InvokeEachAsync(models);
        Assert.All(answers, a => Assert.True(a.Succeeded, a.Problem));
        for (var i = 0; i < models.Length; i++)
        {
            var home = joined.Homes[fleet.Samples[models[i]].Name];
            Assert.True(answers[i].Instance == home, $"{fleet.Samples[models[i]].Name}, homed on {home}, was answered by {answers[i].Instance} ({answers[i].Route})");
        }

        output.WriteLine($"DNS: {third} joined {(at - restarted).TotalMilliseconds:0} ms after dnsmasq answered with its record; {homedOnThird.Length} of {After} new models are homed on it and were answered there.");
    }
}
