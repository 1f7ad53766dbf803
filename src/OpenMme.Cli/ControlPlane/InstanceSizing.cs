using OpenMme.ControlPlane.Provisioning;
using OpenMme.Host;
using OpenMme.Planning;

namespace OpenMme.Cli.ControlPlane;

/// <summary>
/// What one local <c>host</c> of an instance type gets (SPEC section 8). An instance type is a promise
/// of hardware this machine may not have, so the profile is scaled down to it and never up:
/// invocation concurrency = min(the type's vCPUs, this machine's CPUs); memory budget = min(the type's
/// memory, <c>serve</c>'s memory budget / the variant's instance count), i.e. the type's memory times a
/// factor min(1, budget / (count x type memory)); disk budget = <c>serve</c>'s disk budget / count.
/// </summary>
internal sealed record InstanceSizing(InstanceProfile Profile, int Concurrency, long MemoryBytes, long DiskBytes)
{
    /// <summary>The sizing of each of <paramref name="count"/> hosts of <paramref name="instanceType"/> under <paramref name="template"/>'s budgets.</summary>
    /// <exception cref="ProvisioningException">No profile has that name.</exception>
    public static InstanceSizing For(string instanceType, int count, ModelHostSettings template)
    {
        var profile = InstanceProfiles.Find(instanceType) ?? throw new ProvisioningException($"Instance type {instanceType} has no local profile.");
        return new InstanceSizing(
            profile,
            Math.Min(profile.VCpus, Environment.ProcessorCount),
            Math.Min(profile.MemoryBytes, template.MemoryBudgetBytes / count),
            template.DiskBudgetBytes / count);
    }
}
