namespace OpenMme.ControlPlane.State;

/// <summary>An endpoint config created by <c>CreateEndpointConfig</c>.</summary>
internal sealed record EndpointConfigResource(string Name, string Arn, DateTimeOffset CreationTime, IReadOnlyList<ProductionVariantSpec> Variants);
