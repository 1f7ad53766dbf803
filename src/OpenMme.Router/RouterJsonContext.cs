using System.Text.Json.Serialization;

namespace OpenMme.Router;

[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(PlacementView))]
[JsonSerializable(typeof(RouterPing))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class RouterJsonContext : JsonSerializerContext;

/// <summary>The router's <c>/ping</c>: healthy while one instance is.</summary>
internal sealed record RouterPing(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("healthyInstances")] int HealthyInstances,
    [property: JsonPropertyName("instances")] int Instances);

/// <summary>A page of the fleet's <c>GET /models</c>, in an instance's form: each model as the instance that holds it wrote it.</summary>
internal sealed record ModelList(
    [property: JsonPropertyName("models")] IReadOnlyList<System.Text.Json.JsonElement> Models,
    [property: JsonPropertyName("nextPageToken")] string? NextPageToken);

/// <summary><c>GET /endpoints/{name}/placement</c>: which instance holds which model, and each model's home.</summary>
internal sealed record PlacementView(
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("spillThreshold")] int SpillThreshold,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("instances")] IReadOnlyList<InstanceView> Instances,
    [property: JsonPropertyName("models")] IReadOnlyList<ModelPlacementView> Models);

/// <summary>One instance in <see cref="PlacementView"/>.</summary>
internal sealed record InstanceView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("healthy")] bool Healthy,
    [property: JsonPropertyName("inFlight")] long InFlight,
    [property: JsonPropertyName("models")] IReadOnlyList<string> Models);

/// <summary>One model in <see cref="PlacementView"/>: its preference order over the healthy instances and where it is loaded.</summary>
internal sealed record ModelPlacementView(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("home")] string? Home,
    [property: JsonPropertyName("order")] IReadOnlyList<string> Order,
    [property: JsonPropertyName("loadedOn")] IReadOnlyList<string> LoadedOn);
