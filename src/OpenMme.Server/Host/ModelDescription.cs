using System.Text.Json.Serialization;

namespace OpenMme.Host;

internal sealed record ModelDescription(
    [property: JsonPropertyName("modelName")] string ModelName,
    [property: JsonPropertyName("modelUrl")] string ModelUrl,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("hits")] long Hits,
    [property: JsonPropertyName("misses")] long Misses,
    [property: JsonPropertyName("loads")] long Loads,
    [property: JsonPropertyName("evictions")] long Evictions,
    [property: JsonPropertyName("inFlight")] int InFlight,
    [property: JsonPropertyName("lastLoadedAt")] DateTimeOffset LoadedAt,
    [property: JsonPropertyName("lastLoadSeconds")] double LoadSeconds,
    [property: JsonPropertyName("pinned")] bool Pinned);
