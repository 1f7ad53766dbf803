using OpenMme.Configuration;
using OpenMme.MemoryTier;
using OpenMme.Telemetry;
using OpenMme.Wire;

namespace OpenMme.Host;

/// <summary>Builds the web application of one instance: runtime API, container contract and metrics on one Kestrel listener.</summary>
public static class ModelHostApplication
{
    /// <summary>Creates the application; call <c>StartAsync</c> or <c>RunAsync</c> on it.</summary>
    /// <param name="settings">The instance's settings.</param>
    /// <param name="logging">Replaces the default console logging (tests pass a no-op).</param>
    /// <param name="services">Last word on the services, e.g. a runtime decorator.</param>
    /// <param name="extension">More services and routes in front of the instance's own (the control plane of <c>serve</c>).</param>
    public static WebApplication Create(ModelHostSettings settings, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null,
        IFrontDoorExtension? extension = null)
    {
        var builder = WireApplication.CreateBuilder(settings.ListenAddress, settings.Port, settings.JsonLogs, logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.DrainDelay + TimeSpan.FromSeconds(30));
        builder.Services.AddModelHost(settings);
        services?.Invoke(builder.Services);
        extension?.ConfigureServices(builder.Services);
        var app = builder.Build();
        AddUtilizationGauges(app.Services, settings);
        app.Use(app.Services.GetRequiredService<InstanceState>().CountRequests);
        extension?.Configure(app);
        app.MapRuntimeApi();
        app.MapContainerContract();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static void AddUtilizationGauges(IServiceProvider services, ModelHostSettings settings)
    {
        var metrics = services.GetRequiredService<OpenMmeMetrics>();
        var disk = services.GetRequiredService<DiskTier.DiskTier>();
        var machine = ByteSize.MachineMemory();
        metrics.Gauge("openmme.memory.utilization", () => (double)ProcessMemory.ResidentBytes() / machine, "1",
            "Resident memory of the instance over the machine's memory, 0-1 (MemoryUtilization / 100).");
        metrics.Gauge("openmme.disk.utilization", () => DiskUtilization(disk, settings), "1",
            "Disk tier bytes over its budget (or over the volume when unlimited), 0-1 (DiskUtilization / 100).");
    }

    private static double DiskUtilization(DiskTier.DiskTier disk, ModelHostSettings settings)
    {
        if (settings.DiskBudgetBytes > 0)
        {
            return (double)disk.UsedBytes / settings.DiskBudgetBytes;
        }

        var volume = new DriveInfo(Path.GetFullPath(settings.CacheDirectory));
        return volume.TotalSize > 0 ? (double)disk.UsedBytes / volume.TotalSize : 0;
    }
}
