using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenMme.DiskTier;
using OpenMme.MemoryTier;
using OpenMme.Planning;

namespace OpenMme.Cli.Plan;

/// <summary>
/// Replays requests through real <see cref="ModelCache"/>s (one per instance), with the disk tier in
/// a temporary folder, the store and the runtime simulated and a fake clock: everything an
/// instance runs apart from ONNX Runtime and the network. A check of the planner's decision core,
/// and far slower (each first load writes its artifact to disk): <c>plan --engine cache</c>.
/// </summary>
internal static class FullCacheReplay
{
    /// <summary>The largest artifact it replays: larger models are accounted at their measured resident memory, which a simulation has not.</summary>
    public const long MaxArtifactBytes = ModelCache.MeasuredFootprintThreshold - 1;

    /// <summary>Replays <paramref name="requests"/> from cold, one at a time.</summary>
    public static async Task<SimulationResult> RunAsync(IReadOnlyList<PlanModel> models, ReadOnlyMemory<int> requests, string policy, long memoryPerInstance,
        int instances, int segmentLength = 0, CacheOutcome[]? outcomes = null, CancellationToken cancellationToken = default)
    {
        var artifactBytes = ArtifactSizes(models);
        var homes = Placement.Rendezvous([.. models.Select(m => m.Name)], instances);
        var root = Directory.CreateTempSubdirectory("openmme-plan-");
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var caches = new ModelCache[instances];
        try
        {
            var store = new SimulatedStore(models, artifactBytes, clock);
            var runtime = new SimulatedRuntime(models, clock);
            for (var i = 0; i < instances; i++)
            {
                var disk = new DiskTier.DiskTier(new DiskTierOptions(Path.Combine(root.FullName, $"instance-{i}"), 0, ArchiveLimits.Default), clock,
                    NullLogger<DiskTier.DiskTier>.Instance);
                caches[i] = new ModelCache(new ModelCacheOptions(memoryPerInstance, 1, TimeSpan.Zero, TimeSpan.Zero) { EvictionPolicy = policy },
                    store, disk, runtime, clock, NullLogger<ModelCache>.Instance);
            }

            var tally = new Tally(models, requests.Length, segmentLength);
            for (var r = 0; r < requests.Length; r++)
            {
                var model = requests.Span[r];
                var outcome = CacheOutcome.Miss;
                var loaded = true;
                try
                {
                    using var lease = await caches[homes[model]].AcquireAsync(models[model].Name, cancellationToken).ConfigureAwait(false);
                    outcome = lease.Outcome;
                }
                catch (Failures.ModelHostException e) when (e.Kind == Failures.FailureKind.InsufficientMemory)
                {
                    loaded = false;
                }

                tally.Request(model, outcome == CacheOutcome.Hit, loaded && outcome != CacheOutcome.Hit, outcome == CacheOutcome.Miss);
                if (outcomes is not null)
                {
                    outcomes[r] = outcome;
                }
            }

            tally.Evicted((int)caches.Sum(c => c.Counters.Evictions));
            return tally.Result();
        }
        finally
        {
            foreach (var cache in caches)
            {
                cache?.Dispose();
            }

            root.Delete(recursive: true);
        }
    }

    /// <summary>The artifact size whose estimated footprint is each model's bytes.</summary>
    private static long[] ArtifactSizes(IReadOnlyList<PlanModel> models)
    {
        var sizes = new long[models.Count];
        for (var i = 0; i < models.Count; i++)
        {
            var size = (models[i].Bytes - ModelFootprint.SessionOverheadBytes) / 2;
            if (size < sizeof(int) || ModelFootprint.Estimate(size) != models[i].Bytes || size > MaxArtifactBytes)
            {
                throw new ArgumentException($"{models[i].Name}: the full cache replays models accounted at their estimate and under "
                    + $"{MaxArtifactBytes + 1} bytes on disk; {models[i].Bytes} bytes is not one. Use the decision core (--engine core).");
            }

            sizes[i] = size;
        }

        return sizes;
    }
}
