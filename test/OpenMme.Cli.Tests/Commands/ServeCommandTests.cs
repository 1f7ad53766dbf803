using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
    public async Task The_readme_classic_ml_curl_lines_answer_what_the_readme_shows()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Combine("models"));
        File.Copy(Path.Combine(Repository.Root(), "test", "classic-ml", "models", "logreg-strings", "model.onnx"), directory.Combine("models", "iris.onnx"));
        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0");
        var address = serve.Address.GetLeftPart(UriPartial.Authority);

        // Each snippet of the block is a curl command followed by the answer it shows as comments.
        var snippets = ReadmeBlock("iris.onnx").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, snippets.Length);
        foreach (var snippet in snippets)
        {
            var lines = snippet.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var command = string.Join("\n", lines.Where(l => !l.StartsWith('#'))).Replace("http://127.0.0.1:8080", address, StringComparison.Ordinal);
            var shown = lines.Where(l => l.StartsWith('#')).Select(l => ShownAnswer().Replace(l[1..], string.Empty).Trim()).ToArray();

            var output = await RunAsync("bash", ["-c", command], directory.Path);

            if (shown[0].StartsWith('{'))
            {
                using var expected = JsonDocument.Parse(string.Concat(shown));
                using var actual = JsonDocument.Parse(output);
                Assert.Equal(JsonSerializer.Serialize(expected.RootElement), JsonSerializer.Serialize(actual.RootElement));
            }
            else
            {
                Assert.Equal(shown, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
        }
    }

    [Fact]
    public async Task Invalid_settings_say_which_option_is_wrong()
    {
        using var directory = new TempDirectory();

        var (exitCode, _, error) = await ServeProcess.RunToEndAsync(directory.Path, "serve", "--memory-budget", "lots", "--port", "0");

        Assert.Equal(2, exitCode);
        Assert.Contains("--memory-budget 'lots' is not a size", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Launcher.AppHost)]
    [InlineData(Launcher.Dotnet)]
    public async Task A_port_in_use_is_one_line_on_standard_error_and_a_non_zero_exit(Launcher launcher)
    {
        using var directory = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output, error) = await ServeProcess.RunToEndAsync(launcher, directory.Path, "serve", "--port", port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Equal(
            $"openmme serve: port {port} on 127.0.0.1 is already in use. Stop the program listening there, or choose another port with --port (0 picks a free one).",
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task A_models_folder_that_does_not_exist_is_refused_before_anything_starts()
    {
        using var directory = new TempDirectory();
        var missing = directory.Combine("modles");

        var (exitCode, output, error) = await CommandRun.InvokeAsync("serve", "--models", missing, "--port", "0");

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"--models {missing}: the folder {missing} does not exist.", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task The_default_models_folder_is_created()
    {
        using var directory = new TempDirectory();

        using var serve = await ServeProcess.StartAsync(directory.Path, "serve", "--port", "0", "--drain-delay", "0");

        Assert.True(Directory.Exists(directory.Combine("models")));
        Assert.Contains($"OpenMME serving {directory.Combine("models")} at", serve.Output, StringComparison.Ordinal);
    }

    private static string ReadmeCurlCommand() => ReadmeBlock("curl -s http://127.0.0.1:8080/endpoints/local/invocations");

    /// <summary>The first bash block of the README holding <paramref name="text"/>.</summary>
    private static string ReadmeBlock(string text)
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root(), "README.md"));
        foreach (Match block in CodeBlock().Matches(readme))
        {
            if (block.Groups[1].Value.Contains(text, StringComparison.Ordinal))
            {
                return block.Groups[1].Value;
            }
        }

        throw new InvalidOperationException($"README.md has no bash block holding '{text}'.");
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

    /// <summary>A remark after an answer shown in a comment: spaces, then words in parentheses.</summary>
    [GeneratedRegex(@"\s{2,}\(.*\)$")]
    private static partial Regex ShownAnswer();
}
