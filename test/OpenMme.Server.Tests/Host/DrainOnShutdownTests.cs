using System.Net;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Host;

/// <summary>What an operator reads while an instance drains.</summary>
[Trait("Scope", "Instance")]
public sealed class DrainOnShutdownTests
{
    [Fact]
    public async Task The_drain_is_logged_when_it_starts_and_ends_with_the_requests_in_flight()
    {
        var logs = new CollectingLoggerProvider();
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, logs: logs);
        var sample = await host.AddSampleAsync(0);
        var state = host.Services.GetRequiredService<InstanceState>();

        // A request whose body is still arriving stays in flight until the test releases it.
        var body = new HeldContent(SampleWriter.RequestJson(sample));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/endpoints/local/invocations") { Content = body };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Amzn-SageMaker-Target-Model", sample.Name);
        var inFlight = host.Client.SendAsync(request);
        await WaitForAsync(() => state.RequestsInFlight == 1);

        var stopping = Task.Run(host.StopAsync);
        var draining = await WaitForLogAsync(logs, "Draining for shutdown");
        body.Release();
        using (var response = await inFlight)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await stopping;
        var drained = await WaitForLogAsync(logs, "Drained in");
        Assert.Equal(1L, Value(draining, "InFlight"));
        Assert.Equal(0L, Value(drained, "Unfinished"));
        Assert.Contains("/ping answers 503", draining.Message, StringComparison.Ordinal);
    }

    private static object? Value((string Category, string Message, IReadOnlyList<KeyValuePair<string, object?>> State) entry, string key) =>
        entry.State.Single(p => p.Key == key).Value;

    private static async Task<(string Category, string Message, IReadOnlyList<KeyValuePair<string, object?>> State)> WaitForLogAsync(
        CollectingLoggerProvider logs, string prefix)
    {
        await WaitForAsync(() => logs.Entries.Any(e => e.Message.StartsWith(prefix, StringComparison.Ordinal)));
        return logs.Entries.Single(e => e.Message.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>Polls a condition that another thread will make true; fails after a generous bound instead of hanging.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the condition did not hold within 30 s");
    }
}
