using System.Text.Json;
using OpenMme.Failures;
using OpenMme.Wire;

namespace OpenMme.Router;

/// <summary>
/// The router's routes: the runtime API and the container contract forwarded to instances by
/// model, <c>/ping</c>, and the placement view. <c>GET /models</c> and <c>DELETE /models/{name}</c>
/// go to every healthy instance (a model may be loaded on several).
/// </summary>
public static class RouterEndpoints
{
    public static IEndpointRouteBuilder MapRouter(this IEndpointRouteBuilder endpoints)
    {
        var settings = endpoints.ServiceProvider.GetRequiredService<RouterSettings>();
        var fleet = endpoints.ServiceProvider.GetRequiredService<Fleet>();
        var forwarder = endpoints.ServiceProvider.GetRequiredService<FleetForwarder>();
        var placement = endpoints.ServiceProvider.GetRequiredService<Placement>();
        var client = endpoints.ServiceProvider.GetRequiredService<HttpClient>();
        var source = endpoints.ServiceProvider.GetRequiredService<IInstanceSource>();

        endpoints.MapPost("/endpoints/{endpoint}/invocations", (HttpContext context) => forwarder.ForwardAsync(context, TargetModel(context), WireSurface.RuntimeApi));

        // The platform names the model of a container's /invocations in the same header: placed by it too.
        endpoints.MapPost("/invocations", (HttpContext context) => forwarder.ForwardAsync(context, TargetModel(context), WireSurface.ContainerContract));
        endpoints.MapGet("/ping", (HttpContext context) => PingAsync(context, fleet));
        endpoints.MapGet("/endpoints/{endpoint}/placement", (HttpContext context) => PlacementAsync(context, settings, fleet, placement, source));

        // The container contract: a model by its name, wherever it is.
        endpoints.MapPost("/models", async (HttpContext context) =>
        {
            context.Request.EnableBuffering(64 * 1024);
            var name = await LoadRequestNameAsync(context).ConfigureAwait(false);
            await forwarder.ForwardAsync(context, name, WireSurface.ContainerContract).ConfigureAwait(false);
        });
        endpoints.MapGet("/models", (HttpContext context) => ListAsync(context, fleet, client));
        endpoints.MapGet("/models/{**name}", (HttpContext context) => forwarder.ForwardAsync(context, Name(context), WireSurface.ContainerContract));
        endpoints.MapPost("/models/{**name}", (HttpContext context) => forwarder.ForwardAsync(context, Name(context), WireSurface.ContainerContract));
        endpoints.MapDelete("/models/{**name}", (HttpContext context) => DeleteEverywhereAsync(context, fleet, client));
        return endpoints;
    }

    /// <summary>The model <c>X-Amzn-SageMaker-Target-Model</c> names, or null (any instance answers the missing header).</summary>
    private static string? TargetModel(HttpContext context) =>
        context.Request.Headers[SageMakerHeaders.TargetModel].ToString() is { Length: > 0 } target ? target : null;

    /// <summary>The model a <c>/models/{name}[/invoke|/pin]</c> path names.</summary>
    private static string Name(HttpContext context)
    {
        var name = context.Request.RouteValues["name"]?.ToString() ?? string.Empty;
        foreach (var suffix in (ReadOnlySpan<string>)["/invoke", "/pin"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private static async Task<string?> LoadRequestNameAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("model_name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
        }
        catch (JsonException)
        {
            // The instance that gets it says what is wrong.
            return null;
        }
        finally
        {
            context.Request.Body.Position = 0;
        }
    }

    private static Task PingAsync(HttpContext context, Fleet fleet)
    {
        var healthy = fleet.Healthy.Count;
        context.Response.StatusCode = healthy > 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return context.Response.WriteAsJsonAsync(new RouterPing(healthy > 0 ? "Healthy" : "Unhealthy", healthy, fleet.All.Count), RouterJsonContext.Default.RouterPing);
    }

    private static Task PlacementAsync(HttpContext context, RouterSettings settings, Fleet fleet, Placement placement, IInstanceSource source)
    {
        var healthy = fleet.Healthy;
        var models = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var instance in fleet.All)
        {
            models.UnionWith(instance.LoadedModels);
        }

        foreach (var asked in context.Request.Query["model"])
        {
            if (!string.IsNullOrEmpty(asked))
            {
                models.Add(asked);
            }
        }

        var view = new PlacementView(
            settings.EndpointName,
            placement.Policy == PlacementPolicy.Random ? "random" : "rendezvous",
            placement.SpillThreshold,
            source.Description,
            // Health from the same snapshot the homes are computed over, so the view agrees with itself.
            fleet.All.Select(i => new InstanceView(i.Id, i.Address.ToString(), healthy.Contains(i), i.InFlightTotal, i.LoadedModels.Order(StringComparer.Ordinal).ToArray())).ToArray(),
            models.Select(m =>
            {
                var order = Placement.Rank(m, healthy);
                return new ModelPlacementView(m, order.FirstOrDefault()?.Id, order.Select(i => i.Id).ToArray(), fleet.All.Where(i => i.Holds(m)).Select(i => i.Id).ToArray());
            }).ToArray());
        return context.Response.WriteAsJsonAsync(view, RouterJsonContext.Default.PlacementView);
    }

    /// <summary>
    /// <c>GET /models</c>: the models loaded anywhere in the fleet, each once, paged by
    /// <c>limit</c> and <c>next_page_token</c> as one instance pages its own.
    /// </summary>
    private static async Task ListAsync(HttpContext context, Fleet fleet, HttpClient client)
    {
        if (!ModelListPage.TryRead(context.Request.Query, out var paging, out var error))
        {
            await WireErrors.WriteAsync(context, FailureKind.InvalidRequest, WireSurface.ContainerContract, error).ConfigureAwait(false);
            return;
        }

        var names = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var instance in fleet.Healthy)
        {
            try
            {
                foreach (var model in await FleetMonitor.ListModelsAsync(client, instance, context.RequestAborted).ConfigureAwait(false))
                {
                    names.TryAdd(model.GetProperty("modelName").GetString()!, model);
                }
            }
            catch (HttpRequestException)
            {
                // An instance that cannot answer holds nothing the fleet can serve now.
            }
        }

        var page = new List<JsonElement>(Math.Min(paging.Limit, names.Count));
        string? next = null;
        foreach (var (name, model) in names)
        {
            if (!paging.Follows(name))
            {
                continue;
            }

            if (page.Count == paging.Limit)
            {
                next = ModelListPage.TokenAfter(page[^1].GetProperty("modelName").GetString()!);
                break;
            }

            page.Add(model);
        }

        await context.Response.WriteAsJsonAsync(new ModelList(page, next), RouterJsonContext.Default.ModelList, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>DELETE /models/{name}</c> and <c>DELETE /models/{name}/pin</c> on every healthy instance: the
    /// first success is the answer, else the home's answer (404 when no instance holds it).
    /// </summary>
    private static async Task DeleteEverywhereAsync(HttpContext context, Fleet fleet, HttpClient client)
    {
        var path = context.Request.Path.Value!.TrimStart('/');
        var name = Name(context);
        var healthy = fleet.Healthy;
        var home = Placement.Home(name, healthy);
        var answers = await Task.WhenAll(healthy.Select(async instance =>
        {
            try
            {
                using var response = await client.DeleteAsync(new Uri(instance.Address, path), context.RequestAborted).ConfigureAwait(false);
                return (instance, (int)response.StatusCode, response.Headers.TryGetValues(WireErrors.ErrorTypeHeader, out var type) ? type.First() : null,
                    await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false));
            }
            catch (HttpRequestException)
            {
                return (instance, 0, (string?)null, Array.Empty<byte>());
            }
        })).ConfigureAwait(false);

        if (!path.EndsWith("/pin", StringComparison.Ordinal))
        {
            foreach (var (instance, status, _, _) in answers)
            {
                if (status is >= 200 and < 300)
                {
                    instance.Unloaded(name);
                }
            }
        }

        var chosen = answers.FirstOrDefault(a => a.Item2 is >= 200 and < 300);
        if (chosen.instance is null)
        {
            chosen = answers.FirstOrDefault(a => a.instance == home);
        }

        if (chosen.instance is null || chosen.Item2 == 0)
        {
            await WireErrors.WriteAsync(context, new WireError(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable"), "No instance could take the request; retry shortly.").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = chosen.Item2;
        if (chosen.Item3 is not null)
        {
            context.Response.Headers[WireErrors.ErrorTypeHeader] = chosen.Item3;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(chosen.Item4, context.RequestAborted).ConfigureAwait(false);
    }
}
