using OpenMme.Planning;

namespace OpenMme.Cli.Plan;

/// <summary>One configuration a plan replayed: memory, instances and a policy or a bound.</summary>
/// <param name="MemoryPerInstance">Each instance's memory budget.</param>
/// <param name="Instances">Instances sharing the models.</param>
/// <param name="Policy">An eviction policy, or <see cref="Planner.OnlineOptimum"/> or <see cref="Planner.Belady"/>.</param>
/// <param name="Result">What the replay gave.</param>
/// <param name="Seconds">How long the replay took.</param>
internal sealed record PlanRow(long MemoryPerInstance, int Instances, string Policy, SimulationResult Result, double Seconds)
{
    public bool IsBound => Policy is Planner.OnlineOptimum or Planner.Belady or Planner.BeladySize;
}
