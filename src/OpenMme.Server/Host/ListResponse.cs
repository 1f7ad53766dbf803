using System.Text.Json.Serialization;

namespace OpenMme.Host;

internal sealed record ListResponse(
    [property: JsonPropertyName("models")] IReadOnlyList<ModelSummary> Models,
    [property: JsonPropertyName("nextPageToken")] string? NextPageToken);
