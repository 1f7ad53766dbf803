using System.Text.Json.Serialization;

namespace OpenMme.Host;

internal sealed record LoadResponse(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("modelName")] string ModelName,
    [property: JsonPropertyName("modelUrl")] string? ModelUrl);
