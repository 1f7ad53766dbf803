namespace OpenMme.ControlPlane.State;

/// <summary>An endpoint created by <c>CreateEndpoint</c>, with what it runs and, during an update, what it is moving to.</summary>
internal sealed record EndpointResource(
    string Name,
    string Arn,
    string Status,
    string? FailureReason,
    DateTimeOffset CreationTime,
    DateTimeOffset LastModifiedTime,
    EndpointDeployment Deployment,
    EndpointDeployment? Pending);
