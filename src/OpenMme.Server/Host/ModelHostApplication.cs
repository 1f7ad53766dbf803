using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OpenMme.Host;

/// <summary>Builds the web application of one instance: runtime API and container contract on one Kestrel listener.</summary>
public static class ModelHostApplication
{
    /// <summary>Creates the application; call <c>StartAsync</c> or <c>RunAsync</c> on it.</summary>
    public static WebApplication Create(ModelHostSettings settings, Action<ILoggingBuilder>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }
        else
        {
            logging(builder.Logging);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(settings.ListenAddress), settings.Port);
        });
        builder.Services.AddModelHost(settings);
        var app = builder.Build();
        app.MapRuntimeApi();
        app.MapContainerContract();
        return app;
    }

    /// <summary>The address the started application listens on (resolves port 0).</summary>
    public static Uri ListeningAddress(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }
}
