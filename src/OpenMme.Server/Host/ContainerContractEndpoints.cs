using System.Text.Json;
using OpenMme.Failures;
using OpenMme.MemoryTier;
using OpenMme.Store;
using OpenMme.Wire;

namespace OpenMme.Host;

/// <summary>
/// The SageMaker multi-model container contract of one instance: <c>/ping</c>,
/// <c>/invocations</c> and the <c>/models</c> load, list, describe, unload and invoke API.
/// Model names may hold '/', sent URL-encoded or as plain path segments.
/// </summary>
public static class ContainerContractEndpoints
{
    /// <summary>Maps the container contract.</summary>
    public static IEndpointRouteBuilder MapContainerContract(this IEndpointRouteBuilder endpoints)
    {
        var pipeline = endpoints.ServiceProvider.GetRequiredService<InvocationPipeline>();
        var cache = endpoints.ServiceProvider.GetRequiredService<ModelCache>();

        var state = endpoints.ServiceProvider.GetRequiredService<InstanceState>();
        endpoints.MapGet("/ping", () => state.IsDraining
            ? Results.Json(new PingResponse("Draining"), HostJsonContext.Default.PingResponse, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Json(new PingResponse("Healthy"), HostJsonContext.Default.PingResponse));
        endpoints.MapPost("/invocations", (HttpContext context) => pipeline.InvokeAsync(context, RuntimeApiEndpoints.TargetModel(context.Request), WireSurface.ContainerContract));
        endpoints.MapPost("/models", (HttpContext context) => LoadAsync(context, cache));
        endpoints.MapGet("/models", (HttpContext context) => List(context, cache));
        endpoints.MapGet("/models/{**name}", (HttpContext context) => Describe(context, cache, ModelName(context)));
        endpoints.MapDelete("/models/{**name}", (HttpContext context) =>
        {
            var name = ModelName(context);
            return name.EndsWith("/pin", StringComparison.Ordinal)
                ? Pin(context, cache, name[..^"/pin".Length], pinned: false)
                : Unload(context, cache, name);
        });
        endpoints.MapPost("/models/{**name}", (HttpContext context) =>
        {
            var name = ModelName(context);
            if (name.EndsWith("/pin", StringComparison.Ordinal))
            {
                return Pin(context, cache, name[..^"/pin".Length], pinned: true);
            }

            if (!name.EndsWith("/invoke", StringComparison.Ordinal))
            {
                return Error(context, FailureKind.ModelNotLoaded, $"No such resource: POST /models/{name}. Invoke a model with POST /models/NAME/invoke.");
            }

            return pipeline.InvokeAsync(context, name[..^"/invoke".Length], WireSurface.ContainerContract, loadedOnly: true);
        });
        return endpoints;
    }

    private static async Task LoadAsync(HttpContext context, ModelCache cache)
    {
        LoadRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, HostJsonContext.Default.LoadRequest, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await Error(context, FailureKind.InvalidRequest, $"The body is not valid JSON ({e.Message}). Send {{\"model_name\":\"m\",\"url\":\"key\"}}.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(request?.ModelName) || string.IsNullOrEmpty(request.Url))
        {
            await Error(context, FailureKind.InvalidRequest, "Send {\"model_name\":\"m\",\"url\":\"key\"}: both fields are required.").ConfigureAwait(false);
            return;
        }

        var problem = ModelKey.Check(request.ModelName);
        if (problem is not null)
        {
            await Error(context, FailureKind.InvalidRequest, problem).ConfigureAwait(false);
            return;
        }

        try
        {
            await cache.LoadAsync(request.ModelName, KeyOf(cache.Store, request.Url), request.Pinned == true, context.TraceIdentifier, context.RequestAborted)
                .ConfigureAwait(false);

            await Results.Json(new LoadResponse($"Model {request.ModelName} loaded.", request.ModelName, request.Url), HostJsonContext.Default.LoadResponse)
                .ExecuteAsync(context).ConfigureAwait(false);
        }
        catch (ModelHostException e)
        {
            await WireErrors.WriteAsync(context, WireErrors.ForContainerLoad(e.Kind), e.Message).ConfigureAwait(false);
        }
    }

    private static Task List(HttpContext context, ModelCache cache)
    {
        if (!ModelListPage.TryRead(context.Request.Query, out var paging, out var error))
        {
            return Error(context, FailureKind.InvalidRequest, error);
        }

        var models = cache.List();
        var page = new List<ModelSummary>(Math.Min(paging.Limit, models.Count));
        string? next = null;
        foreach (var model in models)
        {
            if (!paging.Follows(model.Name))
            {
                continue;
            }

            if (page.Count == paging.Limit)
            {
                next = ModelListPage.TokenAfter(page[^1].ModelName);
                break;
            }

            page.Add(new ModelSummary(model.Name, model.Key));
        }

        return Results.Json(new ListResponse(page, next), HostJsonContext.Default.ListResponse).ExecuteAsync(context);
    }

    private static Task Describe(HttpContext context, ModelCache cache, string name)
    {
        var info = cache.Describe(name);
        if (info is null)
        {
            return Error(context, FailureKind.ModelNotLoaded, $"Model '{name}' is not loaded.");
        }

        var description = new ModelDescription(info.Name, info.Key, "Loaded", info.Version, info.Bytes, info.Hits, info.Misses, info.Loads,
            info.Evictions, info.InFlight, info.LoadedAt, info.LoadSeconds, info.Pinned);
        return Results.Json(description, HostJsonContext.Default.ModelDescription).ExecuteAsync(context);
    }

    private static Task Pin(HttpContext context, ModelCache cache, string name, bool pinned) =>
        cache.Pin(name, pinned)
            ? Describe(context, cache, name)
            : Error(context, FailureKind.ModelNotLoaded, $"Model '{name}' is not loaded; load it with POST /models first.");

    private static async Task Unload(HttpContext context, ModelCache cache, string name)
    {
        // A model still loading is unloaded once its load ends: the answer always means "gone".
        if (await cache.UnloadAsync(name, context.TraceIdentifier, context.RequestAborted).ConfigureAwait(false))
        {
            await Results.Json(new LoadResponse($"Model {name} unloaded.", name, null), HostJsonContext.Default.LoadResponse).ExecuteAsync(context).ConfigureAwait(false);
        }
        else
        {
            await Error(context, FailureKind.ModelNotLoaded, $"Model '{name}' is not loaded.").ConfigureAwait(false);
        }
    }

    private static string ModelName(HttpContext context) => Uri.UnescapeDataString((string?)context.Request.RouteValues["name"] ?? string.Empty);

    private static string KeyOf(IModelStore store, string url)
    {
        // The platform sends a local path; accept the store's own URL or folder as a prefix of the key.
        if (url.StartsWith(store.Source, StringComparison.Ordinal))
        {
            return url[store.Source.Length..];
        }

        if (store is LocalFolderStore local && url.StartsWith(local.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return url[(local.Root.Length + 1)..];
        }

        return url;
    }

    private static Task Error(HttpContext context, FailureKind kind, string message) => WireErrors.WriteAsync(context, kind, WireSurface.ContainerContract, message);
}
