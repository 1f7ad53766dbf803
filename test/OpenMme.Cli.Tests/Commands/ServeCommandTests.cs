using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenMme.TestSupport;

namespace OpenMme.Cli.Commands;

/// <summary>The README's first command and its curl line, run as a user would: a real process on a real port.</summary>
public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task The_readme_curl_line_returns_the_expected_numbers_from_the_demo()
    {
        using var directory = new TempDirectory();
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--demo", "--port", "0");

        var curl = ReadmeCurlCommand().Replace("http://127.0.0.1:8080", serve.Address.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal);
        var output = await RunAsync("bash", ["-c", curl], directory.Path);

        using var actual = JsonDocument.Parse(output);
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(directory.Combine("models", "fp32-000.response.json")));
        var actualData = actual.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var expectedData = expected.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        SampleAssert.Matches("y", expectedData, actualData);
        Assert.Contains("curl -s", serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_settings_say_which_option_is_wrong()
    {
        using var directory = new TempDirectory();

        var (exitCode, _, error) = await ServeProcess.RunToEndAsync(directory.Path, "serve", "--memory-budget", "lots", "--port", "0");

        Assert.Equal(2, exitCode);
        Assert.Contains("--memory-budget 'lots' is not a size", error, StringComparison.Ordinal);
    }

    private static string ReadmeCurlCommand()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root(), "README.md"));
        foreach (Match block in CodeBlock().Matches(readme))
        {
            if (block.Groups[1].Value.Contains("curl -s http://127.0.0.1:8080/endpoints/local/invocations", StringComparison.Ordinal))
            {
                return block.Groups[1].Value;
            }
        }

        throw new InvalidOperationException("README.md has no bash block with the demo curl line.");
    }

    private static async Task<string> RunAsync(string file, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{file} exited with {process.ExitCode}: {error}");
        return output;
    }

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
