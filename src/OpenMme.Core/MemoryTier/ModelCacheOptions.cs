using OpenMme.MemoryTier.Eviction;

namespace OpenMme.MemoryTier;

/// <summary>Settings of the memory tier.</summary>
/// <param name="BudgetBytes">Bytes loaded models may take (estimated footprint).</param>
/// <param name="MaxConcurrentLoads">Loads running at once (loads are CPU-heavy).</param>
/// <param name="FailureMemory">How long a failed load of one artifact version is answered from memory.</param>
/// <param name="CapacityWait">How long a load waits for in-use models to become idle before giving up.</param>
/// <param name="Setting">SageMaker's ModelCacheSetting: <c>Disabled</c> unloads and deletes each model after its invocation.</param>
public sealed record ModelCacheOptions(long BudgetBytes, int MaxConcurrentLoads, TimeSpan FailureMemory, TimeSpan CapacityWait,
    ModelCacheSetting Setting = ModelCacheSetting.Enabled)
{
    /// <summary>Eviction policy by name (<see cref="EvictionPolicies.Names"/>).</summary>
    public string EvictionPolicy { get; init; } = EvictionPolicies.Default;

    /// <summary>How long an invocation waits for a cold load before it is answered "not ready" (SageMaker: 60 s).</summary>
    public TimeSpan LoadWaitTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a load may run in all before it fails (SageMaker: 360 s).</summary>
    public TimeSpan LoadTimeout { get; init; } = TimeSpan.FromSeconds(360);

    /// <summary>Defaults for a given budget: loads bounded by the vCPU count, failures remembered 10 s.</summary>
    public static ModelCacheOptions ForBudget(long budgetBytes) =>
        new(budgetBytes, Math.Max(1, Environment.ProcessorCount), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
}
