using OpenMme.MemoryTier;
using OpenMme.MemoryTier.Eviction;

namespace OpenMme.Planning;

/// <summary>A model on one simulated instance: the entry the eviction policy holds while it is resident, reused across its loads.</summary>
internal sealed class SimulatedModel(PlanModel model, ModelStatistics statistics) : EvictionEntry(model.Name, statistics)
{
    public PlanModel Model { get; } = model;

    public bool IsResident { get; set; }

    /// <summary>True once its artifact is on the instance's disk (the simulated disk tier keeps every artifact).</summary>
    public bool IsOnDisk { get; set; }

    /// <summary>A simulated request never holds a model past its own turn, and nothing is pinned.</summary>
    public override bool IsEvictable => true;

    public override bool TryBeginEviction()
    {
        IsResident = false;
        return true;
    }
}
