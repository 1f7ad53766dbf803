using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenMme.Wire;

/// <summary>The web application every role starts from: Kestrel on one address, console logging, no server header.</summary>
public static class WireApplication
{
    /// <summary>A slim builder listening on <paramref name="address"/>:<paramref name="port"/> (0: any free port).</summary>
    /// <param name="address">The address Kestrel binds.</param>
    /// <param name="port">The TCP port.</param>
    /// <param name="jsonLogs">Logs as JSON lines instead of plain text.</param>
    /// <param name="logging">Replaces the default console logging (tests pass a no-op).</param>
    public static WebApplicationBuilder CreateBuilder(string address, int port, bool jsonLogs, Action<ILoggingBuilder>? logging)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            ConsoleLogging.Add(builder.Logging, jsonLogs);
        }
        else
        {
            logging(builder.Logging);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(address), port);
        });
        return builder;
    }

    /// <summary>The address the started application listens on (resolves port 0).</summary>
    public static Uri ListeningAddress(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }
}
