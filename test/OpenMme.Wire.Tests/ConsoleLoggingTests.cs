using System.Diagnostics;

namespace OpenMme.Wire;

public sealed class ConsoleLoggingTests
{
    [Fact]
    public async Task With_the_products_logging_a_request_starts_no_activity_and_sends_no_traceparent()
    {
        var builder = WireApplication.CreateBuilder("127.0.0.1", 0, jsonLogs: false, logging: null);
        await using var app = builder.Build();
        app.MapGet("/activity", () => Activity.Current is null ? "none" : "activity " + Activity.Current.OperationName);
        app.MapGet("/outgoing", async (HttpContext context) =>
        {
            // What a forwarder's HttpClient sends on from inside a request.
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
            using var response = await client.GetAsync(new Uri(app.ListeningAddress(), "/traceparent"), context.RequestAborted);
            return await response.Content.ReadAsStringAsync(context.RequestAborted);
        });
        app.MapGet("/traceparent", (HttpContext context) => context.Request.Headers.TraceParent.Count == 0 ? "none" : "traceparent");
        await app.StartAsync(CancellationToken.None);
        try
        {
            using var client = new HttpClient { BaseAddress = app.ListeningAddress() };

            Assert.Equal("none", await client.GetStringAsync("/activity", CancellationToken.None));
            Assert.Equal("none", await client.GetStringAsync("/outgoing", CancellationToken.None));
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Only_the_hosting_diagnostics_category_is_silenced()
    {
        using var factory = LoggerFactory.Create(logging => ConsoleLogging.Add(logging, json: false));

        Assert.True(factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
        Assert.False(factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
    }
}
