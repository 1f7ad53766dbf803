using OpenMme.Telemetry;
using OpenMme.Wire;
using OpenMme.Wire.Auth;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace OpenMme.Router;

/// <summary>
/// Builds the router: the runtime API front door of a fleet, forwarding each request to the
/// instance placement chooses. It holds no state that the instances cannot give back, so several
/// routers can run side by side and agree.
/// </summary>
public static class RouterApplication
{
    /// <summary>Creates the application; call <c>StartAsync</c> or <c>RunAsync</c> on it.</summary>
    /// <param name="settings">The router's settings.</param>
    /// <param name="logging">Replaces the default console logging (tests pass a no-op).</param>
    /// <param name="extension">More services and routes in front of the router's own (the control plane of <c>serve</c>).</param>
    public static WebApplication Create(RouterSettings settings, Action<ILoggingBuilder>? logging = null, IFrontDoorExtension? extension = null)
    {
        var problems = settings.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid settings: " + string.Join(" ", problems));
        }

        var builder = WireApplication.CreateBuilder(settings.ListenAddress, settings.Port, settings.JsonLogs, logging);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

        // The router's code never blocks: Kestrel runs it where the bytes arrived (see InlineCompletions).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddRequestSigning(settings.Signing);
        services.AddSingleton(settings.Source());
        services.AddSingleton<Fleet>();
        services.AddSingleton(new Placement(settings.Policy, settings.SpillThreshold));
        services.AddHttpForwarder();

        services.AddSingleton(InstanceConnections.CreateForwarderInvoker());
        services.AddSingleton(InstanceConnections.CreateMonitorClient());
        var meterName = MeterNames.ForInstance(RouterMetrics.MeterName);
        services.AddSingleton(sp => new RouterMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), meterName));
        services.AddSingleton<FleetForwarder>();
        services.AddSingleton<FleetMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetMonitor>());
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("openmme-router"))
            .WithMetrics(metrics => metrics
            .AddMeter(meterName)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        extension?.ConfigureServices(services);
        var app = builder.Build();
        extension?.Configure(app);
        app.MapRouter();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>
    /// Finds the instances and checks them until every one answers or a few seconds pass, then
    /// starts: requests do not meet an empty fleet for want of a first lookup or a first check
    /// (an instance still starting, or its first answer slower than the timeout).
    /// </summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var monitor = app.Services.GetRequiredService<FleetMonitor>();
        var fleet = app.Services.GetRequiredService<Fleet>();
        var settings = app.Services.GetRequiredService<RouterSettings>();
        await monitor.DiscoverAsync(cancellationToken).ConfigureAwait(false);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(TimeProvider.System.TimestampFrequency * Math.Max(5, 3 * settings.HealthTimeout.TotalSeconds));
        while (true)
        {
            await monitor.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            if (fleet.Healthy.Count == fleet.All.Count || TimeProvider.System.GetTimestamp() > deadline)
            {
                break;
            }

            await Task.Delay(settings.HealthInterval, cancellationToken).ConfigureAwait(false);
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
    }
}
