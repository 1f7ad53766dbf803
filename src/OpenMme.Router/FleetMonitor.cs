using System.Text.Json;

namespace OpenMme.Router;

/// <summary>
/// Keeps the fleet current: membership from the source, health from <c>/ping</c>, and what each
/// instance holds from its <c>GET /models</c>. Each runs on its own interval; none blocks requests.
/// </summary>
public sealed partial class FleetMonitor(Fleet fleet, RouterSettings settings, IInstanceSource source, HttpClient client, ILogger<FleetMonitor> logger)
    : BackgroundService
{
    private int _discoveryFailures;

    /// <summary>Reads membership once, so the router starts with its instances known.</summary>
    public async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        try
        {
            fleet.SetMembers(await source.DiscoverAsync(cancellationToken).ConfigureAwait(false));
            _discoveryFailures = 0;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Keep the members known; say it once per run of failures.
            if (_discoveryFailures++ == 0)
            {
                LogDiscoveryFailed(source.Description, e.Message);
            }
        }
    }

    /// <summary>Checks every member's <c>/ping</c> once, all at once.</summary>
    public Task CheckHealthAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(fleet.All.Select(instance => CheckAsync(instance, cancellationToken)));

    /// <summary>Reads what every healthy member holds, once.</summary>
    public Task RefreshModelsAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(fleet.Healthy.Select(instance => RefreshAsync(instance, cancellationToken)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var discovery = source is StaticInstances ? Task.CompletedTask : LoopAsync(settings.DiscoveryInterval, DiscoverAsync, stoppingToken);
        await Task.WhenAll(
            discovery,
            LoopAsync(settings.HealthInterval, CheckHealthAsync, stoppingToken),
            LoopAsync(settings.ModelsInterval, RefreshModelsAsync, stoppingToken)).ConfigureAwait(false);
    }

    private static async Task LoopAsync(TimeSpan interval, Func<CancellationToken, Task> step, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                await step(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(FleetInstance instance, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.HealthTimeout);
        string? problem;
        try
        {
            using var response = await client.GetAsync(new Uri(instance.Address, "ping"), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            problem = response.IsSuccessStatusCode ? null : $"/ping answered {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = $"/ping gave no answer within {settings.HealthTimeout.TotalSeconds:0.###} s";
        }
        catch (HttpRequestException e)
        {
            problem = "/ping failed: " + e.Message;
        }

        if (problem is null)
        {
            fleet.Succeeded(instance);
        }
        else
        {
            fleet.Failed(instance, settings.UnhealthyAfter, delivery: false, problem);
        }
    }

    private async Task RefreshAsync(FleetInstance instance, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.HealthTimeout * 5);
        try
        {
            var held = new HashSet<string>(StringComparer.Ordinal);
            foreach (var model in await ListModelsAsync(client, instance, timeout.Token).ConfigureAwait(false))
            {
                held.Add(model.GetProperty("modelName").GetString()!);
            }

            instance.Holding(held);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Health checks decide about the instance; a missed refresh only leaves the view older.
        }
    }

    /// <summary>Every page of an instance's <c>GET /models</c>: the model objects as it wrote them.</summary>
    public static async Task<List<JsonElement>> ListModelsAsync(HttpClient client, FleetInstance instance, CancellationToken cancellationToken)
    {
        var models = new List<JsonElement>();
        string? token = null;
        do
        {
            using var page = await client.GetFromJsonAsync<JsonDocument>(
                new Uri(instance.Address, "models" + (token is null ? string.Empty : "?next_page_token=" + Uri.EscapeDataString(token))), cancellationToken).ConfigureAwait(false);
            foreach (var model in page!.RootElement.GetProperty("models").EnumerateArray())
            {
                models.Add(model.Clone());
            }

            token = page.RootElement.TryGetProperty("nextPageToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (token is not null);

        return models;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finding instances through {Source} failed; keeping the ones known: {Reason}")]
    private partial void LogDiscoveryFailed(string source, string reason);
}
