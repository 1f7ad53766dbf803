using System.Net;
using OpenMme.TestSupport;

namespace OpenMme.Host;

/// <summary>The failure log line of an invocation, as an operator reads it.</summary>
public sealed class InvocationPipelineLogTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_request_without_a_target_model_is_logged_as_such(string? target)
    {
        var logs = new CollectingLoggerProvider();
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, logs: logs);

        using var response = await host.InvokeAsync(target, "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var entry = Assert.Single(logs.Entries, e => e.Message.StartsWith("Invocation of", StringComparison.Ordinal));
        Assert.StartsWith("Invocation of (no target model) failed (InvalidRequest, request ", entry.Message, StringComparison.Ordinal);
    }
}
