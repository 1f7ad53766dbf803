using OpenMme.ControlPlane.State;

namespace OpenMme.ControlPlane.Provisioning;

/// <summary>
/// Starts what an endpoint runs. The control plane decides when (create, update, restart, delete);
/// a provisioner decides how: the local one starts <c>openmme host</c> processes on this machine, and
/// one for Kubernetes would scale a Deployment instead.
/// </summary>
internal interface IEndpointProvisioner
{
    /// <summary>
    /// Starts every variant of <paramref name="deployment"/> for <paramref name="endpointName"/> and returns
    /// once all of it answers health checks. It takes no traffic until <see cref="IProvisionedEndpoint.Publish"/>.
    /// </summary>
    /// <exception cref="ProvisioningException">It could not start; the message is the endpoint's <c>FailureReason</c>. Nothing is left running.</exception>
    Task<IProvisionedEndpoint> ProvisionAsync(string endpointName, EndpointDeployment deployment, CancellationToken cancellationToken);
}
