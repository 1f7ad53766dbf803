namespace OpenMme.MemoryTier;

/// <summary>What the memory tier knows about one loaded model (container contract's describe).</summary>
public sealed record LoadedModelInfo(
    string Name,
    string Key,
    string Version,
    long Bytes,
    long Hits,
    long Misses,
    long Loads,
    long Evictions,
    int InFlight,
    DateTimeOffset LoadedAt,
    double LoadSeconds,
    bool Pinned);
