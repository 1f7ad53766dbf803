namespace OpenMme.MemoryTier.Eviction;

/// <summary>What a policy may weigh about an idle loaded model.</summary>
/// <param name="LastUse">Logical clock of the last use (larger is more recent).</param>
/// <param name="Uses">Requests for the model since the instance started (across evictions).</param>
/// <param name="LoadSeconds">What it cost to make it resident (download and load).</param>
/// <param name="Bytes">Memory it holds.</param>
/// <param name="InflationAtUse">The policy's <see cref="IEvictionPolicy.Inflation"/> at its last use.</param>
public readonly record struct EvictionCandidate(long LastUse, long Uses, double LoadSeconds, long Bytes, double InflationAtUse);
