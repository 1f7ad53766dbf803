namespace OpenMme.ControlPlane.State;

/// <summary>A model created by <c>CreateModel</c>.</summary>
internal sealed record ModelResource(string Name, string Arn, DateTimeOffset CreationTime, ContainerSpec Container, string? ExecutionRoleArn);
