using System.Diagnostics;
using System.Globalization;
using OpenMme.Planning;

namespace OpenMme.Cli.Plan;

/// <summary>
/// Replays one trace through every configuration of a grid (memory per instance × instance count ×
/// policy) and computes the two bounds for each memory and count, reporting progress as it goes.
/// The policies run in the memory tier's decision core (<see cref="CacheSimulation"/>), or, with
/// the full-cache engine, in real <c>ModelCache</c>s with a simulated store and runtime.
/// </summary>
internal static class Planner
{
    /// <summary>The row of the online optimum: the most popular models that fit, kept from their first request.</summary>
    public const string OnlineOptimum = "online optimum";

    /// <summary>The row of the offline optimum.</summary>
    public const string Belady = "Belady";

    /// <summary>The row of the offline bound when models differ in size (an approximation, not a bound).</summary>
    public const string BeladySize = "Belady-size ~";

    public static async Task<List<PlanRow>> RunAsync(PlanPopulation population, int[] requests, IReadOnlyList<long> memories, IReadOnlyList<int> instanceCounts,
        IReadOnlyList<string> policies, bool fullCache, int phaseLength, TextWriter progress, CancellationToken cancellationToken)
    {
        var models = population.Models;
        var belady = models.All(m => m.Bytes == models[0].Bytes) ? Belady : BeladySize;
        var rows = new List<PlanRow>();
        var total = memories.Count * instanceCounts.Count * (policies.Count + 2);
        foreach (var instances in instanceCounts)
        {
            var homes = Placement.Rendezvous(population.Names, instances);
            foreach (var memory in memories)
            {
                rows.Add(await TimedAsync(OnlineOptimum, () => Task.FromResult(OptimalBounds.Static(models, homes, memory, requests, phaseLength))).ConfigureAwait(false));
                rows.Add(await TimedAsync(belady, () => Task.FromResult(OptimalBounds.Belady(models, homes, memory, requests, phaseLength))).ConfigureAwait(false));
                foreach (var policy in policies)
                {
                    rows.Add(await TimedAsync(policy, () => fullCache
                        ? FullCacheReplay.RunAsync(models, requests, policy, memory, instances, phaseLength, cancellationToken: cancellationToken)
                        : Task.FromResult(new CacheSimulation(models, policy, memory, instances).Run(requests, segmentLength: phaseLength, progress: Progress))).ConfigureAwait(false));
                }

                async Task<PlanRow> TimedAsync(string name, Func<Task<SimulationResult>> run)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var started = Stopwatch.GetTimestamp();
                    var result = await run().ConfigureAwait(false);
                    var row = new PlanRow(memory, instances, name, result, Stopwatch.GetElapsedTime(started).TotalSeconds);
                    await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"  [{rows.Count + 1,3}/{total}] {name,-15} {PlanTable.Memory(memory),10} x {instances,-3} hit ratio {result.HitRatio:0.000}  {result.Requests:N0} requests in {row.Seconds:0.00} s ({result.Requests / Math.Max(row.Seconds, 1e-9) / 1e6:0.0} M/s)"))
                        .ConfigureAwait(false);
                    return row;
                }
            }
        }

        return rows;

        void Progress(long done) => progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"        {done:N0} of {requests.Length:N0} requests"));
    }
}
