using System.Text.Json.Serialization;

namespace OpenMme.Host;

[JsonSerializable(typeof(PingResponse))]
[JsonSerializable(typeof(LoadRequest))]
[JsonSerializable(typeof(LoadResponse))]
[JsonSerializable(typeof(ListResponse))]
[JsonSerializable(typeof(ModelDescription))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class HostJsonContext : JsonSerializerContext;
