using System.Diagnostics.Metrics;
using OpenMme.DiskTier;
using OpenMme.MemoryTier;
using OpenMme.Runtime;
using OpenMme.Runtime.Onnx;
using OpenMme.Store;
using OpenMme.Telemetry;
using OpenMme.Wire.Auth;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace OpenMme.Host;

/// <summary>Registers the model host: store, disk tier, memory tier, runtime and invocation pipeline.</summary>
public static class ModelHostServiceCollectionExtensions
{
    /// <summary>Adds one model-host instance with <paramref name="settings"/>; throws when a setting is invalid.</summary>
    public static IServiceCollection AddModelHost(this IServiceCollection services, ModelHostSettings settings)
    {
        var problems = settings.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid settings: " + string.Join(" ", problems));
        }

        services.AddSingleton(settings);
        services.AddSingleton(settings.Http);
        services.AddSingleton(TimeProvider.System);
        services.AddRequestSigning(settings.Signing);
        services.AddSingleton(_ => ModelStores.Open(settings.ModelSource, settings.S3));
        services.AddSingleton(sp => new DiskTier.DiskTier(
            new DiskTierOptions(settings.CacheDirectory, settings.DiskBudgetBytes, settings.Archive) { DownloadTimeout = settings.LoadTimeout },
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DiskTier.DiskTier>>()));
        services.AddSingleton<IModelRuntime>(_ => new OnnxModelRuntime(new OnnxRuntimeOptions(settings.IntraOpThreads)));
        var meterName = MeterNames.ForInstance(OpenMmeMetrics.MeterName);
        services.AddSingleton(sp => new OpenMmeMetrics(sp.GetRequiredService<IMeterFactory>(), meterName));
        if (settings.AccessLogPath is { } accessLog)
        {
            services.AddSingleton(sp => new AccessLog(accessLog, sp.GetRequiredService<ILogger<AccessLog>>()));
        }

        services.AddSingleton(sp => new ModelCache(
            new ModelCacheOptions(settings.MemoryBudgetBytes, settings.EffectiveLoadConcurrency, settings.FailureMemory, settings.CapacityWait, settings.ModelCache)
            {
                EvictionPolicy = settings.EvictionPolicy,
                LoadWaitTimeout = settings.InvocationTimeout,
                LoadTimeout = settings.LoadTimeout,
            },
            sp.GetRequiredService<IModelStore>(),
            sp.GetRequiredService<DiskTier.DiskTier>(),
            sp.GetRequiredService<IModelRuntime>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ModelCache>>(),
            sp.GetRequiredService<OpenMmeMetrics>(),
            sp.GetService<AccessLog>()));
        services.AddSingleton(_ => new InvocationGate(settings.EffectiveInvocationConcurrency, settings.InvocationQueueLimit));
        services.AddSingleton<InstanceState>();
        services.AddHostedService<DrainOnShutdown>();
        services.AddSingleton<InvocationPipeline>();
        services.AddSingleton<MemoryWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<MemoryWatchdog>());
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("openmme"))
            .WithMetrics(metrics => metrics
            .AddMeter(meterName)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }
}
