using System.Text.Json.Serialization;

namespace OpenMme.Host;

internal sealed record ModelSummary(
    [property: JsonPropertyName("modelName")] string ModelName,
    [property: JsonPropertyName("modelUrl")] string ModelUrl);
