using System.Text.Json.Serialization;

namespace OpenMme.Host;

internal sealed record LoadRequest(
    [property: JsonPropertyName("model_name")] string? ModelName,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("pinned")] bool? Pinned = null);
