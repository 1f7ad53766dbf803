using System.Text.Json.Serialization;

namespace OpenMme.ControlPlane.State;

/// <summary>The JSON columns of the state database (nested parts of a resource).</summary>
[JsonSerializable(typeof(ContainerSpec))]
[JsonSerializable(typeof(List<ProductionVariantSpec>))]
[JsonSerializable(typeof(EndpointDeployment))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
