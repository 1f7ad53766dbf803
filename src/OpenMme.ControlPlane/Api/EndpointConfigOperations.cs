using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenMme.ControlPlane.State;
using OpenMme.Planning;

namespace OpenMme.ControlPlane.Api;

/// <summary>CreateEndpointConfig, DescribeEndpointConfig, DeleteEndpointConfig and ListEndpointConfigs.</summary>
internal sealed class EndpointConfigOperations(StateStore store, Arns arns, TimeProvider time)
{
    /// <summary>The instance types a variant may name: those OpenMME has a profile of (SPEC section 8).</summary>
    public static IReadOnlyList<string> InstanceTypes { get; } = [.. InstanceProfiles.All.Select(p => p.Name)];

    public async Task<JsonObject> CreateAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var constraints = new Constraints();
        var name = constraints.Name(request, "EndpointConfigName", "endpointConfigName");
        var variants = new List<ProductionVariantSpec>();
        if (constraints.List(request, "ProductionVariants", "productionVariants", 1, 10, required: true) is { } list)
        {
            var i = 0;
            foreach (var variant in list.EnumerateArray())
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"productionVariants.{++i}.member");
                var variantName = constraints.Name(variant, "VariantName", path + ".variantName");
                var modelName = constraints.String(variant, "ModelName", path + ".modelName", max: 63);
                if (modelName is not null && modelName.Length > 0 && !System.Text.RegularExpressions.Regex.IsMatch(modelName, Constraints.ModelNamePattern + "$"))
                {
                    constraints.Fail(modelName, path + ".modelName", $"Member must satisfy regular expression pattern: {Constraints.ModelNamePattern}");
                }

                var instanceType = constraints.Enum(variant, "InstanceType", path + ".instanceType", InstanceTypes);
                var count = constraints.Integer(variant, "InitialInstanceCount", path + ".initialInstanceCount", 1);
                var weight = constraints.Number(variant, "InitialVariantWeight", path + ".initialVariantWeight") ?? 1.0;
                if (variant.TryGetProperty("ServerlessConfig", out _))
                {
                    throw ControlPlaneErrors.Invalid("ServerlessConfig is not supported: give the variant an InstanceType and InitialInstanceCount.");
                }

                if (modelName is null || instanceType is null || count is null)
                {
                    throw ControlPlaneErrors.Invalid($"Production variant '{variantName}' needs ModelName, InstanceType and InitialInstanceCount.");
                }

                variants.Add(new ProductionVariantSpec(variantName, modelName, instanceType, count.Value, weight));
            }
        }

        constraints.ThrowIfAny();
        var duplicate = variants.GroupBy(v => v.VariantName, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw ControlPlaneErrors.Invalid($"Production variant names must be unique; '{duplicate.Key}' is given {duplicate.Count()} times.");
        }

        foreach (var variant in variants)
        {
            if (await store.GetModelAsync(variant.ModelName, cancellationToken).ConfigureAwait(false) is null)
            {
                throw ControlPlaneErrors.CouldNotFind("model", arns.Model(variant.ModelName));
            }
        }

        var config = new EndpointConfigResource(name, arns.EndpointConfig(name), time.GetUtcNow(), variants);
        if (!await store.TryAddEndpointConfigAsync(config, cancellationToken).ConfigureAwait(false))
        {
            throw ControlPlaneErrors.AlreadyExists("endpoint configuration", config.Arn);
        }

        return new JsonObject { ["EndpointConfigArn"] = config.Arn };
    }

    public async Task<JsonObject> DescribeAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var config = await FindAsync(request, cancellationToken).ConfigureAwait(false);
        var variants = new JsonArray();
        foreach (var variant in config.Variants)
        {
            variants.Add(new JsonObject
            {
                ["VariantName"] = variant.VariantName,
                ["ModelName"] = variant.ModelName,
                ["InitialInstanceCount"] = variant.InitialInstanceCount,
                ["InstanceType"] = variant.InstanceType,
                ["InitialVariantWeight"] = variant.InitialVariantWeight,
            });
        }

        return new JsonObject
        {
            ["EndpointConfigName"] = config.Name,
            ["EndpointConfigArn"] = config.Arn,
            ["ProductionVariants"] = variants,
            ["CreationTime"] = Listing.Time(config.CreationTime),
        };
    }

    public async Task<JsonObject> DeleteAsync(JsonElement request, CancellationToken cancellationToken)
    {
        // As on SageMaker, a config in use may be deleted: its endpoint keeps what it was deployed with.
        var config = await FindAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await store.DeleteEndpointConfigAsync(config.Name, cancellationToken).ConfigureAwait(false))
        {
            throw ControlPlaneErrors.CouldNotFind("endpoint configuration", config.Arn);
        }

        return [];
    }

    public async Task<JsonObject> ListAsync(JsonElement request, CancellationToken cancellationToken) =>
        Listing.Page(request, await store.ListEndpointConfigsAsync(cancellationToken).ConfigureAwait(false), c => c.Name, c => c.CreationTime,
            c => new JsonObject { ["EndpointConfigName"] = c.Name, ["EndpointConfigArn"] = c.Arn, ["CreationTime"] = Listing.Time(c.CreationTime) },
            "EndpointConfigs", ["Name", "CreationTime"]);

    /// <summary>The config named by <c>EndpointConfigName</c>; throws SageMaker's "Could not find" when there is none.</summary>
    public async Task<EndpointConfigResource> FindAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var constraints = new Constraints();
        var name = constraints.Name(request, "EndpointConfigName", "endpointConfigName");
        constraints.ThrowIfAny();
        return await store.GetEndpointConfigAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw ControlPlaneErrors.CouldNotFind("endpoint configuration", arns.EndpointConfig(name));
    }
}
