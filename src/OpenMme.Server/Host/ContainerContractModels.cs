using System.Text.Json.Serialization;

namespace OpenMme.Host;

internal sealed record PingResponse([property: JsonPropertyName("status")] string Status);

internal sealed record LoadRequest(
    [property: JsonPropertyName("model_name")] string? ModelName,
    [property: JsonPropertyName("url")] string? Url);

internal sealed record LoadResponse(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("modelName")] string ModelName,
    [property: JsonPropertyName("modelUrl")] string? ModelUrl);

internal sealed record ModelSummary(
    [property: JsonPropertyName("modelName")] string ModelName,
    [property: JsonPropertyName("modelUrl")] string ModelUrl);

internal sealed record ListResponse(
    [property: JsonPropertyName("models")] IReadOnlyList<ModelSummary> Models,
    [property: JsonPropertyName("nextPageToken")] string? NextPageToken);

internal sealed record ModelDescription(
    [property: JsonPropertyName("modelName")] string ModelName,
    [property: JsonPropertyName("modelUrl")] string ModelUrl,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("hits")] long Hits,
    [property: JsonPropertyName("inFlight")] int InFlight,
    [property: JsonPropertyName("loadedAt")] DateTimeOffset LoadedAt,
    [property: JsonPropertyName("loadSeconds")] double LoadSeconds);

[JsonSerializable(typeof(PingResponse))]
[JsonSerializable(typeof(LoadRequest))]
[JsonSerializable(typeof(LoadResponse))]
[JsonSerializable(typeof(ListResponse))]
[JsonSerializable(typeof(ModelDescription))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class HostJsonContext : JsonSerializerContext;
