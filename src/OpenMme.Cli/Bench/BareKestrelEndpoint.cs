using System.Net;
using OpenMme.Wire;

namespace OpenMme.Cli.Bench;

/// <summary>
/// The floor for HTTP figures: Kestrel with the same route and the same response size as an
/// invocation, doing nothing but draining the body and writing a fixed answer.
/// </summary>
internal static class BareKestrelEndpoint
{
    public static WebApplication Create(int port, int responseBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var answer = new byte[Math.Max(2, responseBytes)];
        Array.Fill(answer, (byte)' ');
        answer[0] = (byte)'{';
        answer[^1] = (byte)'}';
        app.MapPost("/endpoints/{endpointName}/invocations", async context =>
        {
            var buffer = new byte[16 * 1024];
            while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false) > 0)
            {
            }

            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted).ConfigureAwait(false);
        });
        return app;
    }

    public static Uri Address(WebApplication app) => app.ListeningAddress();
}
