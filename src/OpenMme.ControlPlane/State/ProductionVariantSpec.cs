namespace OpenMme.ControlPlane.State;

/// <summary>One <c>ProductionVariant</c> of an endpoint config.</summary>
internal sealed record ProductionVariantSpec(string VariantName, string ModelName, string InstanceType, int InitialInstanceCount, double InitialVariantWeight);
