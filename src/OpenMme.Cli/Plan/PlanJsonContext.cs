using System.Text.Json.Serialization;

namespace OpenMme.Cli.Plan;

[JsonSerializable(typeof(PlanReport))]
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
