namespace OpenMme.ControlPlane.Provisioning;

/// <summary>A deployment that could not start; the message is written as the endpoint's <c>FailureReason</c>.</summary>
internal sealed class ProvisioningException(string reason) : Exception(reason);
