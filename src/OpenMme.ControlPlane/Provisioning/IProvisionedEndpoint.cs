namespace OpenMme.ControlPlane.Provisioning;

/// <summary>
/// A deployment that runs. Disposing it drains it (waits, up to a bound, for its requests in flight)
/// and stops it; it must be withdrawn or replaced first, so that no new request reaches it.
/// </summary>
internal interface IProvisionedEndpoint : IAsyncDisposable
{
    /// <summary>Instances running for the variant <paramref name="variantName"/>.</summary>
    int InstanceCount(string variantName);

    /// <summary>Makes it the one the endpoint's name reaches, replacing the one that was (an update's switch).</summary>
    void Publish();

    /// <summary>Takes the endpoint's name out of service, if this is the deployment it reaches.</summary>
    void Withdraw();
}
