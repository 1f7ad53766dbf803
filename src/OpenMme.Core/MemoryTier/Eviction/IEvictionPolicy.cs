namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// Chooses which idle model leaves memory first: the one with the lowest priority. Policies are
/// chosen by name (<see cref="EvictionPolicies"/>); pinned and in-use models are never offered.
/// </summary>
public interface IEvictionPolicy
{
    /// <summary>The policy's name (<c>lru</c>, <c>gdsf</c>).</summary>
    string Name { get; }

    /// <summary>The aging value recorded with each use (GDSF's L; 0 where unused).</summary>
    double Inflation { get; }

    /// <summary>The model's priority; the lowest is evicted first.</summary>
    double Priority(in EvictionCandidate candidate);

    /// <summary>Tells the policy a model with <paramref name="priority"/> was evicted.</summary>
    void Evicted(double priority);
}
