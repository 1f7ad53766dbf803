using System.Text.RegularExpressions;
using OpenMme.Planning;

namespace OpenMme.Cli.Bench;

/// <summary>The load generator against the bare Kestrel endpoint in this process.</summary>
public sealed partial class LoadGeneratorTests
{
    [Fact]
    public async Task Progress_ends_with_a_line_that_counts_every_request_of_the_phase()
    {
        await using var bare = BareKestrelEndpoint.Create(0, 180);
        await bare.StartAsync();
        var url = new Uri(BareKestrelEndpoint.Address(bare), "endpoints/local/invocations");
        var requests = new[] { new BenchRequest("m.onnx", "{}"u8.ToArray(), "application/json") };
        var options = new LoadOptions(2, null, TimeSpan.Zero, TimeSpan.FromSeconds(30), MaxRequests: 300, MaxInFlight: 16);
        using var progress = new StringWriter();

        var result = await new LoadGenerator("bare Kestrel", url, requests, options, progress).RunAsync(() => RequestTrace.Parse("uniform", 1, 1), CancellationToken.None);

        var last = progress.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        var match = DoneLine().Match(last);
        Assert.True(match.Success, last);
        Assert.Equal(result.Requests, long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(300, result.Requests);
        Assert.Null(result.HitRatio);
        await bare.StopAsync();
    }

    [GeneratedRegex(@"^  measured +[\d.]+ s +(\d+) requests +0 errors  done")]
    private static partial Regex DoneLine();
}
