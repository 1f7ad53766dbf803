using System.Text.Json.Serialization;

namespace OpenMme.Cli.Bench;

[JsonSerializable(typeof(List<LoadResult>))]
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
