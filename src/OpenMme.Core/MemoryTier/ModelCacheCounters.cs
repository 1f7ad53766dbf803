namespace OpenMme.MemoryTier;

/// <summary>Cumulative counts of the memory tier since start.</summary>
public sealed record ModelCacheCounters(
    long Hits,
    long DiskLoads,
    long Misses,
    long Loads,
    long FailedLoads,
    long Evictions,
    long Unloads,
    long OutstandingLeases,
    long AccountedBytes,
    int LoadedModels);
