using System.Text.Json.Serialization;

namespace OpenMme.Host;

internal sealed record ModelDescription(
    [property: JsonPropertyName("modelName")] string ModelName,
    [property: JsonPropertyName("modelUrl")] string ModelUrl,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("hits")] long Hits,
    [property: JsonPropertyName("inFlight")] int InFlight,
    [property: JsonPropertyName("loadedAt")] DateTimeOffset LoadedAt,
    [property: JsonPropertyName("loadSeconds")] double LoadSeconds,
    [property: JsonPropertyName("pinned")] bool Pinned);
