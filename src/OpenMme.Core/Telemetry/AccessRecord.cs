using OpenMme.MemoryTier;

namespace OpenMme.Telemetry;

/// <summary>One request as the memory tier answered it: a line of the access log.</summary>
/// <param name="Time">When the request got its model.</param>
/// <param name="Model">The model's name (the target model).</param>
/// <param name="Bytes">Memory the model is accounted at.</param>
/// <param name="Outcome">Where the model was found: in memory, loaded from the disk tier, or downloaded and loaded.</param>
/// <param name="LoadSeconds">For a load, what it took (download included); 0 for a hit.</param>
public readonly record struct AccessRecord(DateTimeOffset Time, string Model, long Bytes, CacheOutcome Outcome, double LoadSeconds);
