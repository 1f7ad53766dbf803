namespace OpenMme.ControlPlane.State;

/// <summary>
/// What an endpoint runs, resolved when it is created or updated: its config's variants with their
/// models' containers copied in. Kept with the endpoint, so that a restart brings it back as it was
/// even if its config or models have since been deleted (SageMaker allows both).
/// </summary>
/// <param name="ConfigName">The endpoint config it came from.</param>
/// <param name="Generation">Counts the endpoint's deployments: each gets folders of its own, so an update's new fleet never shares a cache with the old.</param>
/// <param name="Variants">The variants.</param>
internal sealed record EndpointDeployment(string ConfigName, long Generation, IReadOnlyList<VariantDeployment> Variants)
{
    /// <summary>Instances of all variants.</summary>
    public int InstanceCount => Variants.Sum(v => v.InstanceCount);
}

/// <summary>One variant of a deployment.</summary>
internal sealed record VariantDeployment(string VariantName, string ModelName, string InstanceType, int InstanceCount, double Weight, ContainerSpec Container);
