using System.Text.Json.Serialization;

namespace OpenMme.Host;

internal sealed record PingResponse([property: JsonPropertyName("status")] string Status);
