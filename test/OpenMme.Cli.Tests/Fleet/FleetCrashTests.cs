using System.Diagnostics;
using Xunit.Abstractions;

namespace OpenMme.Cli.Fleet;

/// <summary>One of three instances killed with SIGKILL while clients invoke twenty models through the router.</summary>
[Collection(FleetCollection.Name)]
public sealed class FleetCrashTests(ITestOutputHelper output)
{
    private static readonly string[] Addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];

    [Fact]
    public async Task An_instance_killed_under_load_fails_at_most_its_requests_in_flight_and_the_others_serve_its_models()
    {
        using var fleet = LoopbackFleet.Create();
        await fleet.StartWarmAsync(Addresses);

        var victim = fleet.IdOf(Addresses[1]);
        var victimModels = await fleet.ModelsHomedOnAsync(victim);

        var clock = Stopwatch.StartNew();
        IReadOnlyList<LoadRecord> records;
        TimeSpan killedAt, noticedAt;
        int started;
        await using (var load = FleetLoad.Start(fleet, clock, clients: 6, maxRequests: 100_000, maxDuration: TimeSpan.FromSeconds(90)))
        {
            await load.WaitUntilAsync(r => r.Count(x => x.Instance == victim) >= 100, TimeSpan.FromSeconds(30), $"100 answers from {victim}");
            killedAt = clock.Elapsed;
            fleet.Kill(Addresses[1]);
            (_, noticedAt) = await fleet.WaitForAsync(v => !v.IsHealthy(victim), TimeSpan.FromSeconds(30), $"{victim} out of the set", clock);

            // Go on until every model of the victim has been answered several times since.
            await load.WaitUntilAsync(r => victimModels.All(m => r.Count(x => x.Model == m && x.Sent > noticedAt) >= 20), TimeSpan.FromSeconds(60),
                "20 answers for each of the killed instance's models");
            records = await load.StopAsync(TimeSpan.FromSeconds(30));
            started = load.Started;
        }

        Assert.Equal(started, records.Count);
        var inFlightAtKill = records.Where(r => r.InFlightAt(killedAt)).ToArray();
        // A failed request may carry no instance header; count it as on the victim, the only instance that died.
        var onVictimAtKill = inFlightAtKill.Where(r => r.Instance == victim || (!r.Succeeded && r.Instance.Length == 0)).ToArray();
        var failed = records.Where(r => !r.Succeeded).ToArray();
        Assert.All(failed, r => Assert.Contains(r, onVictimAtKill));
        Assert.True(failed.Length <= onVictimAtKill.Length, $"{failed.Length} failed, {onVictimAtKill.Length} were in flight on {victim}");

        // Failover: a request that meets the dead instance before the router notices goes to the next one.
        var afterKill = records.Where(r => r.Sent > killedAt).ToArray();
        Assert.All(afterKill, r => Assert.True(r.Succeeded, r.ToString()));

        var afterNotice = records.Where(r => r.Sent > noticedAt).ToArray();
        Assert.NotEmpty(afterNotice);
        Assert.All(afterNotice, r => Assert.True(r.Succeeded && r.Instance != victim, r.ToString()));
        foreach (var model in victimModels)
        {
            var answers = afterNotice.Where(r => r.Model == model).ToArray();
            Assert.NotEmpty(answers);
            Assert.All(answers, r => Assert.Contains(r.Instance, Addresses.Where(a => a != Addresses[1]).Select(fleet.IdOf)));
        }

        var failovers = await fleet.RouterCounterAsync("openmme_router_failovers_total");
        output.WriteLine($"SIGKILL: {LoadRecord.Summary(records)}, {failovers} failovers; {inFlightAtKill.Length} in flight at the kill, {onVictimAtKill.Length} of them on {victim}; "
            + $"{failed.Length} failed; {afterKill.Count(r => r.Sent < noticedAt)} sent between the kill and the router's notice ({(noticedAt - killedAt).TotalMilliseconds:0} ms), "
            + $"{afterKill.Count(r => r.Answer.Route.Length > 0 && r.Sent < noticedAt && r.Instance != victim)} of them answered elsewhere; "
            + $"{victimModels.Length} models of {victim} answered {afterNotice.Count(r => victimModels.Contains(r.Model))} times by the others after.");
    }
}
