using System.Text.Json;
using System.Text.Json.Nodes;
using OpenMme.ControlPlane.Provisioning;
using OpenMme.ControlPlane.State;

namespace OpenMme.ControlPlane.Api;

/// <summary>CreateEndpoint, DescribeEndpoint, UpdateEndpoint, DeleteEndpoint and ListEndpoints.</summary>
internal sealed class EndpointOperations(StateStore store, Arns arns, TimeProvider time, ControlPlaneSettings settings, EndpointConfigOperations configs, EndpointDeployer deployer)
{
    // One create or update at a time: quotas are counted and the new row written under it.
    private readonly SemaphoreSlim _changes = new(1, 1);

    public async Task<JsonObject> CreateAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var constraints = new Constraints();
        var name = constraints.Name(request, "EndpointName", "endpointName");
        constraints.Name(request, "EndpointConfigName", "endpointConfigName");
        constraints.ThrowIfAny();
        var arn = arns.Endpoint(name);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var endpoints = await store.ListEndpointsAsync(cancellationToken).ConfigureAwait(false);
            if (endpoints.Any(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw ControlPlaneErrors.AlreadyExists("endpoint", arn);
            }

            var deployment = await ResolveAsync(request, generation: 1, cancellationToken).ConfigureAwait(false);
            CheckQuotas(endpoints, deployment, replacing: null);
            var now = time.GetUtcNow();
            var endpoint = new EndpointResource(name, arn, EndpointStatus.Creating, null, now, now, deployment, null);
            if (!await store.TryAddEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false))
            {
                throw ControlPlaneErrors.AlreadyExists("endpoint", arn);
            }
        }
        finally
        {
            _changes.Release();
        }

        deployer.Create(name);
        return new JsonObject { ["EndpointArn"] = arn };
    }

    public async Task<JsonObject> UpdateAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var constraints = new Constraints();
        var name = constraints.Name(request, "EndpointName", "endpointName");
        constraints.Name(request, "EndpointConfigName", "endpointConfigName");
        constraints.ThrowIfAny();
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var endpoints = await store.ListEndpointsAsync(cancellationToken).ConfigureAwait(false);
            var endpoint = endpoints.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw ControlPlaneErrors.CouldNotFind("endpoint", arns.Endpoint(name));
            if (endpoint.Status != EndpointStatus.InService)
            {
                throw endpoint.Status == EndpointStatus.Failed
                    ? ControlPlaneErrors.Invalid($"Cannot update failed endpoint \"{endpoint.Arn}\": delete it and create it again.")
                    : ControlPlaneErrors.InProgress(endpoint.Arn);
            }

            var pending = await ResolveAsync(request, endpoint.Deployment.Generation + 1, cancellationToken).ConfigureAwait(false);
            CheckQuotas(endpoints, pending, replacing: endpoint);
            await store.ReplaceEndpointAsync(endpoint with { Status = EndpointStatus.Updating, Pending = pending, LastModifiedTime = time.GetUtcNow() }, cancellationToken)
                .ConfigureAwait(false);
            deployer.Update(endpoint.Name);
            return new JsonObject { ["EndpointArn"] = endpoint.Arn };
        }
        finally
        {
            _changes.Release();
        }
    }

    public async Task<JsonObject> DescribeAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(request, cancellationToken).ConfigureAwait(false);
        var variants = new JsonArray();
        foreach (var variant in endpoint.Deployment.Variants)
        {
            var summary = new JsonObject { ["VariantName"] = variant.VariantName };
            if (variant.Container.Image is { } image)
            {
                summary["DeployedImages"] = new JsonArray(new JsonObject { ["SpecifiedImage"] = image, ["ResolvedImage"] = image, ["ResolutionTime"] = Listing.Time(endpoint.CreationTime) });
            }

            summary["CurrentWeight"] = variant.Weight;
            summary["DesiredWeight"] = variant.Weight;
            summary["CurrentInstanceCount"] = deployer.InstanceCount(endpoint.Name, variant.VariantName);
            summary["DesiredInstanceCount"] = variant.InstanceCount;
            variants.Add(summary);
        }

        var result = new JsonObject
        {
            ["EndpointName"] = endpoint.Name,
            ["EndpointArn"] = endpoint.Arn,
            ["EndpointConfigName"] = endpoint.Deployment.ConfigName,
            ["ProductionVariants"] = variants,
            ["EndpointStatus"] = endpoint.Status,
            ["CreationTime"] = Listing.Time(endpoint.CreationTime),
            ["LastModifiedTime"] = Listing.Time(endpoint.LastModifiedTime),
        };
        if (endpoint.FailureReason is { } reason)
        {
            result["FailureReason"] = reason;
        }

        return result;
    }

    public async Task<JsonObject> DeleteAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(request, cancellationToken).ConfigureAwait(false);
        if (endpoint.Status != EndpointStatus.Deleting)
        {
            await store.ReplaceEndpointAsync(endpoint with { Status = EndpointStatus.Deleting, LastModifiedTime = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            deployer.Delete(endpoint.Name);
        }

        return [];
    }

    public async Task<JsonObject> ListAsync(JsonElement request, CancellationToken cancellationToken) =>
        Listing.Page(request, await store.ListEndpointsAsync(cancellationToken).ConfigureAwait(false), e => e.Name, e => e.CreationTime,
            e => new JsonObject
            {
                ["EndpointName"] = e.Name,
                ["EndpointArn"] = e.Arn,
                ["CreationTime"] = Listing.Time(e.CreationTime),
                ["LastModifiedTime"] = Listing.Time(e.LastModifiedTime),
                ["EndpointStatus"] = e.Status,
            },
            "Endpoints", ["Name", "CreationTime", "Status"], e => e.Status);

    private async Task<EndpointResource> FindAsync(JsonElement request, CancellationToken cancellationToken)
    {
        var constraints = new Constraints();
        var name = constraints.Name(request, "EndpointName", "endpointName");
        constraints.ThrowIfAny();
        return await store.GetEndpointAsync(name, cancellationToken).ConfigureAwait(false) ?? throw ControlPlaneErrors.CouldNotFind("endpoint", arns.Endpoint(name));
    }

    /// <summary>The config the request names, with its models' containers: what the endpoint will run.</summary>
    private async Task<EndpointDeployment> ResolveAsync(JsonElement request, long generation, CancellationToken cancellationToken)
    {
        var config = await configs.FindAsync(request, cancellationToken).ConfigureAwait(false);
        var variants = new List<VariantDeployment>(config.Variants.Count);
        foreach (var variant in config.Variants)
        {
            var model = await store.GetModelAsync(variant.ModelName, cancellationToken).ConfigureAwait(false) ?? throw ControlPlaneErrors.CouldNotFind("model", arns.Model(variant.ModelName));
            variants.Add(new VariantDeployment(variant.VariantName, model.Name, variant.InstanceType, variant.InitialInstanceCount, variant.InitialVariantWeight, model.Container));
        }

        return new EndpointDeployment(config.Name, generation, variants);
    }

    private void CheckQuotas(List<EndpointResource> endpoints, EndpointDeployment deployment, EndpointResource? replacing)
    {
        if (replacing is null && endpoints.Count >= settings.MaxEndpoints)
        {
            throw ControlPlaneErrors.Limit("endpoints", settings.MaxEndpoints, endpoints.Count, 1, "Endpoints", "--max-endpoints");
        }

        if (deployment.InstanceCount > settings.MaxInstancesPerEndpoint)
        {
            throw ControlPlaneErrors.Limit("instances per endpoint", settings.MaxInstancesPerEndpoint, replacing?.Deployment.InstanceCount ?? 0, deployment.InstanceCount,
                "Instances", "--max-instances-per-endpoint");
        }

        // During an update both fleets run for a while: the new one counts in full next to every running one.
        var used = endpoints.Where(e => e.Status != EndpointStatus.Failed).Sum(e => e.Deployment.InstanceCount + (e.Pending?.InstanceCount ?? 0));
        if (used + deployment.InstanceCount > settings.MaxInstances)
        {
            throw ControlPlaneErrors.Limit("instances", settings.MaxInstances, used, deployment.InstanceCount, "Instances", "--max-instances");
        }
    }
}
