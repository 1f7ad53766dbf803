namespace OpenMme.MemoryTier.Eviction;

/// <summary>What a policy is asked to free, and why.</summary>
/// <param name="BytesToFree">Bytes to free at least.</param>
/// <param name="IncomingBytes">Bytes of the model about to load (0 when memory pressure, not a load, asks).</param>
/// <param name="Requests">Requests the memory tier has answered so far (hits and loads): the clock of a policy's aging.</param>
internal readonly record struct EvictionRequest(long BytesToFree, long IncomingBytes, long Requests);
