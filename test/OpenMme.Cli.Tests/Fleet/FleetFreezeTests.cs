using System.Diagnostics;
using OpenMme.Router;
using Xunit.Abstractions;

namespace OpenMme.Cli.Fleet;

/// <summary>
/// One of three instances stopped with SIGSTOP under load: alive to the kernel (connections are
/// accepted) but silent, so only the router's health checks can tell. Then SIGCONT.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class FleetFreezeTests(ITestOutputHelper output)
{
    private static readonly string[] Addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];

    /// <summary>
    /// How long after SIGSTOP the router may still route to the instance, by its settings: checks
    /// run every interval and each may take the timeout, so the check that fails for the last
    /// time before the instance leaves the set ends at most one interval plus, per failure needed,
    /// an interval and a timeout after the stop.
    /// </summary>
    private static readonly TimeSpan HealthBound =
        TimeSpan.FromSeconds(LoopbackFleet.HealthInterval + (new RouterSettings().UnhealthyAfter * (LoopbackFleet.HealthInterval + LoopbackFleet.HealthTimeout)));

    /// <summary>Room for process scheduling on a busy 2-core machine; the bound above is what the router promises.</summary>
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_frozen_instance_gets_no_requests_once_its_checks_fail_and_takes_them_again_after_SIGCONT()
    {
        using var fleet = LoopbackFleet.Create();
        await fleet.StartWarmAsync(Addresses);

        var frozen = fleet.IdOf(Addresses[2]);
        var frozenModels = await fleet.ModelsHomedOnAsync(frozen);

        var clock = Stopwatch.StartNew();
        IReadOnlyList<LoadRecord> records;
        TimeSpan stoppedAt, noticedAt, resumedAt, healthyAt;
        int started;
        await using (var load = FleetLoad.Start(fleet, clock, clients: 4, maxRequests: 100_000, maxDuration: TimeSpan.FromSeconds(120)))
        {
            await load.WaitUntilAsync(r => r.Count(x => x.Instance == frozen) >= 100, TimeSpan.FromSeconds(30), $"100 answers from {frozen}");
            stoppedAt = clock.Elapsed;
            fleet.Signal(Addresses[2], "STOP");
            try
            {
                (_, noticedAt) = await fleet.WaitForAsync(v => !v.IsHealthy(frozen), TimeSpan.FromSeconds(30), $"{frozen} out of the set", clock);
                await load.WaitUntilAsync(r => frozenModels.All(m => r.Count(x => x.Model == m && x.Sent > noticedAt) >= 5), TimeSpan.FromSeconds(30),
                    "five answers for each of the frozen instance's models");
            }
            finally
            {
                resumedAt = clock.Elapsed;
                fleet.Signal(Addresses[2], "CONT");
            }

            (_, healthyAt) = await fleet.WaitForAsync(v => v.IsHealthy(frozen), TimeSpan.FromSeconds(30), $"{frozen} back in the set", clock);
            await load.WaitUntilAsync(r => r.Count(x => x.Sent > healthyAt && x.Instance == frozen) >= 100, TimeSpan.FromSeconds(30),
                $"100 answers from {frozen} after it rejoined");
            records = await load.StopAsync(TimeSpan.FromSeconds(60));
            started = load.Started;
        }

        // Nothing is lost: what waited on the frozen instance is answered once it resumes.
        Assert.Equal(started, records.Count);
        Assert.All(records, r => Assert.True(r.Succeeded, r.ToString()));

        var routedWhileFrozen = records.Where(r => r.Instance == frozen && r.Sent >= stoppedAt && r.Sent < resumedAt).ToArray();
        var lastRouted = routedWhileFrozen.Length == 0 ? stoppedAt : routedWhileFrozen.Max(r => r.Sent);
        Assert.True(lastRouted - stoppedAt <= HealthBound + SchedulingSlack,
            $"a request sent {(lastRouted - stoppedAt).TotalSeconds:0.00} s after SIGSTOP went to {frozen}; the health settings bound it by {HealthBound.TotalSeconds:0.00} s");
        Assert.DoesNotContain(records, r => r.Instance == frozen && r.Sent > noticedAt && r.Sent < resumedAt);

        var afterRejoin = records.Where(r => r.Sent > healthyAt).ToArray();
        foreach (var model in frozenModels)
        {
            // Its models go home again: it still holds them, and it comes first in their order.
            Assert.Contains(afterRejoin, r => r.Model == model && r.Instance == frozen);
        }

        output.WriteLine($"SIGSTOP: {LoadRecord.Summary(records)}; the router took {frozen} out {(noticedAt - stoppedAt).TotalMilliseconds:0} ms after SIGSTOP "
            + $"(bound {HealthBound.TotalMilliseconds:0} ms); last request routed to it sent {(lastRouted - stoppedAt).TotalMilliseconds:0} ms after SIGSTOP; "
            + $"{routedWhileFrozen.Length} requests waited on it, the longest {routedWhileFrozen.Select(r => r.Done - r.Sent).DefaultIfEmpty().Max().TotalMilliseconds:0} ms; "
            + $"healthy again {(healthyAt - resumedAt).TotalMilliseconds:0} ms after SIGCONT; {afterRejoin.Count(r => r.Instance == frozen)} of {afterRejoin.Length} requests since went to it.");
    }
}
