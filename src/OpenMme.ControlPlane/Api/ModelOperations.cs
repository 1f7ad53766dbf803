using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenMme.ControlPlane.State;

namespace OpenMme.ControlPlane.Api;

/// <summary>CreateModel, DescribeModel, DeleteModel and ListModels.</summary>
internal sealed partial class ModelOperations(StateStore store, Arns arns, TimeProvider time)
{
    private const string UrlShown = "^(s3://([^/]+)/?(.*)|file:///(.+))$";

    public async Task<JsonObject> CreateAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var constraints = new Constraints();
        var name = constraints.Name(request, "ModelName", "modelName", model: true);
        var role = constraints.Pattern(request, "ExecutionRoleArn", "executionRoleArn", RoleArn(), "^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$", 2048);
        var primary = constraints.Object(request, "PrimaryContainer", "primaryContainer");
        string? image = null, mode = null, url = null, cache = null;
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (primary is { } container)
        {
            image = constraints.Pattern(container, "Image", "primaryContainer.image", Image(), "[\\S]+", 255);
            mode = constraints.Enum(container, "Mode", "primaryContainer.mode", [ContainerSpec.SingleModel, ContainerSpec.MultiModel]);
            url = constraints.Pattern(container, "ModelDataUrl", "primaryContainer.modelDataUrl", ModelDataUrl(), UrlShown, 1024);
            if (constraints.Object(container, "MultiModelConfig", "primaryContainer.multiModelConfig") is { } multiModel)
            {
                cache = constraints.Enum(multiModel, "ModelCacheSetting", "primaryContainer.multiModelConfig.modelCacheSetting", ["Enabled", "Disabled"]);
            }

            if (constraints.Object(container, "Environment", "primaryContainer.environment") is { } variables)
            {
                foreach (var variable in variables.EnumerateObject())
                {
                    environment[variable.Name] = variable.Value.ValueKind == JsonValueKind.String
                        ? variable.Value.GetString()!
                        : throw new ControlPlaneException(ControlPlaneErrors.Serialization, "Environment values must be strings.");
                }
            }
        }

        constraints.ThrowIfAny();
        if (primary is null)
        {
            throw ControlPlaneErrors.Invalid(request.TryGetProperty("Containers", out _)
                ? "Containers (inference pipelines) are not supported: give the model one PrimaryContainer."
                : "PrimaryContainer is required: the container whose ModelDataUrl holds the model artifacts.");
        }

        mode ??= ContainerSpec.SingleModel;
        if (url is null)
        {
            throw ControlPlaneErrors.Invalid($"PrimaryContainer.ModelDataUrl is required: the {(mode == ContainerSpec.MultiModel ? "s3:// or file:/// prefix of the models" : "model artifact")}.");
        }

        if (mode == ContainerSpec.SingleModel && (url.EndsWith('/') || cache is not null))
        {
            throw ControlPlaneErrors.Invalid(cache is not null
                ? "MultiModelConfig is only valid with Mode MultiModel."
                : $"ModelDataUrl '{url}' names a prefix; a SingleModel container takes one artifact (a .tar.gz or .onnx file).");
        }

        var model = new ModelResource(name, arns.Model(name), time.GetUtcNow(), new ContainerSpec(image, mode, url, environment, cache), role);
        if (!await store.TryAddModelAsync(model, cancellationToken).ConfigureAwait(false))
        {
            throw ControlPlaneErrors.AlreadyExists("model", arns.Model(name));
        }

        return new JsonObject { ["ModelArn"] = model.Arn };
    }

    public async Task<JsonObject> DescribeAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var model = await FindAsync(request, cancellationToken).ConfigureAwait(false);
        var container = new JsonObject { ["Mode"] = model.Container.Mode };
        if (model.Container.Image is { } image)
        {
            container["Image"] = image;
        }

        container["ModelDataUrl"] = model.Container.ModelDataUrl;
        var environment = new JsonObject();
        foreach (var (key, value) in model.Container.Environment)
        {
            environment[key] = value;
        }

        container["Environment"] = environment;
        if (model.Container.ModelCacheSetting is { } cache)
        {
            container["MultiModelConfig"] = new JsonObject { ["ModelCacheSetting"] = cache };
        }

        var result = new JsonObject
        {
            ["ModelName"] = model.Name,
            ["PrimaryContainer"] = container,
            ["CreationTime"] = Listing.Time(model.CreationTime),
            ["ModelArn"] = model.Arn,
            ["EnableNetworkIsolation"] = false,
        };
        if (model.ExecutionRoleArn is { } role)
        {
            result["ExecutionRoleArn"] = role;
        }

        return result;
    }

    public async Task<JsonObject> DeleteAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var model = await FindAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await store.DeleteModelAsync(model.Name, cancellationToken).ConfigureAwait(false))
        {
            throw ControlPlaneErrors.CouldNotFind("model", model.Arn);
        }

        return [];
    }

    public async Task<JsonObject> ListAsync(JsonElement request, CancellationToken cancellationToken) =>
        Listing.Page(request, await store.ListModelsAsync(cancellationToken).ConfigureAwait(false), m => m.Name, m => m.CreationTime,
            m => new JsonObject { ["ModelName"] = m.Name, ["ModelArn"] = m.Arn, ["CreationTime"] = Listing.Time(m.CreationTime) }, "Models", ["Name", "CreationTime"]);

    private async Task<ModelResource> FindAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var constraints = new Constraints();
        var name = constraints.Name(request, "ModelName", "modelName", model: true);
        constraints.ThrowIfAny();
        return await store.GetModelAsync(name, cancellationToken).ConfigureAwait(false) ?? throw ControlPlaneErrors.CouldNotFind("model", arns.Model(name));
    }

    [GeneratedRegex("^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$")]
    private static partial Regex RoleArn();

    [GeneratedRegex("^[\\S]+$")]
    private static partial Regex Image();

    [GeneratedRegex("^(s3://([^/]+)/?(.*)|file:///(.+))$")]
    private static partial Regex ModelDataUrl();
}
