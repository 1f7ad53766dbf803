using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenMme.Configuration;
using OpenMme.TestSupport;

namespace OpenMme.Cli.Commands;

/// <summary>
/// Resident memory of a real <c>openmme serve</c> while models cycle through it whose footprint
/// (six 100 MB models, 1x to 2x their size in memory) is about three times its 300 MB budget.
/// </summary>
public sealed partial class ServeMemoryTests
{
    [Fact]
    public async Task Cycling_models_three_times_the_budget_keeps_resident_memory_under_budget_plus_overhead()
    {
        using var directory = new TempDirectory();
        var (exit, _, error) = await ServeProcess.RunToEndAsync(directory.Path, "samples", "--out", "models", "--count", "6", "--size", "100MB");
        Assert.True(exit == 0, error);
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0", "--memory-budget", "300MB", "--cache-dir", "cache");
        using var client = new HttpClient { BaseAddress = serve.Address, Timeout = TimeSpan.FromMinutes(2) };
        var models = Directory.GetFiles(directory.Combine("models"), "*.onnx").Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.Equal(6, models.Length);
        long peak = 0;

        for (var round = 0; round < 2; round++)
        {
            foreach (var model in models)
            {
                using var content = new ByteArrayContent(await File.ReadAllBytesAsync(directory.Combine("models", model + ".request.json")));
                content.Headers.ContentType = new("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/endpoints/local/invocations") { Content = content };
                request.Headers.Add("X-Amzn-SageMaker-Target-Model", model + ".onnx");
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode, body);
                if (model!.StartsWith("fp64", StringComparison.Ordinal))
                {
                    AssertSameData(await File.ReadAllTextAsync(directory.Combine("models", model + ".response.json")), body);
                }

                peak = Math.Max(peak, ResidentBytes(serve.ProcessId));
            }
        }

        var limit = PrintedLimitUpperBound(LimitLine().Match(serve.Output).Groups[1].Value);
        Assert.True(peak <= limit, $"resident {peak} bytes after a response, limit {limit} (budget plus fixed overhead)");
        Assert.Contains("Evicted", serve.Output, StringComparison.Ordinal);
    }

    private static void AssertSameData(string expected, string actual)
    {
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        var expectedData = e.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var actualData = a.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        SampleAssert.Matches("y", expectedData, actualData);
    }

    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc/" + pid + "/status");
    }

    /// <summary>
    /// The watchdog prints its limit for people (one decimal of its unit, e.g. 476.3 MiB); the true
    /// limit is at most half a last digit above what is printed.
    /// </summary>
    private static long PrintedLimitUpperBound(string printed)
    {
        Assert.True(ByteSize.TryParse(printed, null, out var bytes, out var error), error);
        var unit = printed.Split(' ')[1];
        return unit == "B" ? bytes : bytes + (1L << (10 * ("KMGT".IndexOf(unit[0], StringComparison.Ordinal) + 1))) / 20;
    }

    [GeneratedRegex("resident memory passes (\\S+ \\S+) \\(")]
    private static partial Regex LimitLine();
}
