using OpenMme.Cli.Commands;
using OpenMme.ControlPlane.Provisioning;
using OpenMme.ControlPlane.State;
using OpenMme.Host;
using OpenMme.MemoryTier;
using OpenMme.Router;
using OpenMme.Store;

namespace OpenMme.Cli.ControlPlane;

/// <summary>
/// Provisions endpoints on this machine: each variant's <c>InitialInstanceCount</c> <c>openmme host</c>
/// children (the same <see cref="HostChild"/> supervision as <c>serve --instances</c>), on loopback, sized
/// by <see cref="InstanceSizing"/>, serving the variant's <c>ModelDataUrl</c> as their store prefix, with
/// a fleet of their own in <see cref="EndpointFleets"/>.
/// </summary>
internal sealed class LocalEndpointProvisioner(ModelHostSettings template, EndpointFleets fleets, TextWriter output) : IEndpointProvisioner
{
    /// <summary>How long the instances of a variant may take to start and answer <c>/ping</c>.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public async Task<IProvisionedEndpoint> ProvisionAsync(string endpointName, EndpointDeployment deployment, CancellationToken cancellationToken)
    {
        var children = new List<(string Variant, HostChild Child)>();
        EndpointFleet? fleet = null;
        try
        {
            var specs = new List<VariantFleetSpec>(deployment.Variants.Count);
            foreach (var variant in deployment.Variants)
            {
                var (source, key) = Source(variant.Container);
                await CheckReadableAsync(variant.Container.ModelDataUrl!, source, key, cancellationToken).ConfigureAwait(false);
                var settings = Settings(endpointName, deployment.Generation, variant, source);
                var count = variant.InstanceCount;
                var started = new List<HostChild>(count);
                for (var i = 0; i < count; i++)
                {
                    var index = i;
                    var child = new HostChild(port => HostCommandOptions.ChildArguments(settings, index, count, port), $"{endpointName}/{variant.VariantName} {index}", output);
                    children.Add((variant.VariantName, child));
                    started.Add(child);
                }

                var addresses = await Task.WhenAll(started.Select(c => c.StartAsync(cancellationToken))).ConfigureAwait(false);
                if (addresses.Any(a => a is null))
                {
                    throw new ProvisioningException($"{addresses.Count(a => a is null)} of {count} instances of variant {variant.VariantName} did not start; see serve's output.");
                }

                specs.Add(new VariantFleetSpec(variant.VariantName, variant.Weight, addresses!, key));
            }

            fleet = fleets.Create(endpointName, specs);
            foreach (var variant in fleet.Variants)
            {
                if (!await variant.StartAsync(StartTimeout, cancellationToken).ConfigureAwait(false))
                {
                    throw new ProvisioningException($"The instances of variant {variant.Spec.VariantName} did not answer /ping within {StartTimeout.TotalSeconds:0} s.");
                }
            }

            return new LocalProvisionedEndpoint(fleets, fleet, children);
        }
        catch
        {
            if (fleet is not null)
            {
                await fleet.DisposeAsync().ConfigureAwait(false);
            }

            await StopAsync(children.Select(c => c.Child)).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops children (SIGTERM, then kill after a grace period) and releases them.</summary>
    public static async Task StopAsync(IEnumerable<HostChild> children)
    {
        var all = children.ToList();
        await Task.WhenAll(all.Select(c => c.StopAsync(TimeSpan.FromSeconds(10)))).ConfigureAwait(false);
        foreach (var child in all)
        {
            child.Dispose();
        }
    }

    /// <summary>
    /// The store prefix the hosts serve and, for a single-model container, the one key under it.
    /// A <c>file://</c> location must exist now: a missing one fails the endpoint with a reason rather
    /// than starting instances that could serve nothing.
    /// </summary>
    internal static (string Source, string? Key) Source(ContainerSpec container)
    {
        var url = container.ModelDataUrl ?? throw new ProvisioningException("The model has no ModelDataUrl.");
        var single = container.IsSingleModel;
        if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            var path = new Uri(url).LocalPath;
            if (single ? !File.Exists(path) : !Directory.Exists(path))
            {
                throw new ProvisioningException($"Could not read ModelDataUrl {url}: no such {(single ? "file" : "folder")} on this machine.");
            }
        }

        if (!single)
        {
            return (url, null);
        }

        var slash = url.LastIndexOf('/');
        return (url[..(slash + 1)], url[(slash + 1)..]);
    }

    /// <summary>
    /// Reads the store once before any instance starts: an <c>s3://</c> prefix must list (a missing bucket,
    /// wrong credentials or an unreachable store fail the endpoint with the store's answer; an empty prefix is
    /// fine, models may come later), and a single-model artifact must exist.
    /// </summary>
    private async Task CheckReadableAsync(string url, string source, string? key, CancellationToken cancellationToken)
    {
        if (!source.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var store = ModelStores.Open(source, template.S3);
        try
        {
            if (key is not null)
            {
                if (await store.StatAsync(key, cancellationToken).ConfigureAwait(false) is null)
                {
                    throw new ProvisioningException($"Could not read ModelDataUrl {url}: no such object.");
                }

                return;
            }

            await foreach (var _ in store.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }
        catch (Exception e) when (e is not ProvisioningException and not OperationCanceledException)
        {
            throw new ProvisioningException($"Could not read ModelDataUrl {url}: {e.Message}");
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    private ModelHostSettings Settings(string endpointName, long generation, VariantDeployment variant, string source)
    {
        var sizing = InstanceSizing.For(variant.InstanceType, variant.InstanceCount, template);
        var settings = template with
        {
            ModelSource = source,
            ListenAddress = "127.0.0.1",
            Port = 0,
            MemoryBudgetBytes = sizing.MemoryBytes * variant.InstanceCount,
            DiskBudgetBytes = sizing.DiskBytes * variant.InstanceCount,
            CacheDirectory = Path.Combine(template.CacheDirectory, "endpoints", endpointName.ToLowerInvariant(), $"{generation}-{variant.VariantName}"),
            ModelCache = variant.Container.ModelCacheSetting == "Disabled" ? ModelCacheSetting.Disabled : ModelCacheSetting.Enabled,
            MaxConcurrentInvocations = sizing.Concurrency,

            // The fleet drains a replaced deployment before its hosts are told to stop.
            DrainDelay = TimeSpan.Zero,
            AccessLogPath = null,
            Http = template.Http with { EndpointName = endpointName, VariantName = variant.VariantName },
        };
        var problems = settings.Validate();
        return problems.Count == 0 ? settings : throw new ProvisioningException(string.Join(" ", problems));
    }
}
