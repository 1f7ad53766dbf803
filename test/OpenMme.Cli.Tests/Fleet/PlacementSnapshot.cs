using System.Text.Json;

namespace OpenMme.Cli.Fleet;

/// <summary>The router's <c>GET /endpoints/{name}/placement</c> as a test reads it: instances with their health, and each model's home.</summary>
internal sealed record PlacementSnapshot(IReadOnlyList<InstanceState> Instances, IReadOnlyDictionary<string, string?> Homes)
{
    public InstanceState? Instance(string id) => Instances.FirstOrDefault(i => i.Id == id);

    public bool IsHealthy(string id) => Instance(id) is { Healthy: true };

    public static PlacementSnapshot Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var instances = document.RootElement.GetProperty("instances").EnumerateArray()
            .Select(i => new InstanceState(
                i.GetProperty("id").GetString()!,
                i.GetProperty("healthy").GetBoolean(),
                i.GetProperty("models").EnumerateArray().Select(m => m.GetString()!).ToArray()))
            .ToArray();
        var homes = document.RootElement.GetProperty("models").EnumerateArray()
            .ToDictionary(m => m.GetProperty("model").GetString()!, m => m.TryGetProperty("home", out var home) ? home.GetString() : null, StringComparer.Ordinal);
        return new PlacementSnapshot(instances, homes);
    }
}

/// <summary>One instance in a <see cref="PlacementSnapshot"/>: host:port, health, the models the router knows it holds.</summary>
internal sealed record InstanceState(string Id, bool Healthy, IReadOnlyList<string> Models);
