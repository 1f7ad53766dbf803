using System.Text.Json.Serialization;

namespace OpenMme.DiskTier;

[JsonSerializable(typeof(ArtifactRecord))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class DiskTierJsonContext : JsonSerializerContext;
