using System.Diagnostics;
using System.IO.Compression;
using OpenMme.TestSupport;

namespace OpenMme.Cli;

/// <summary>The README's way to get the <c>openmme</c> command: pack the CLI as a .NET tool and install it.</summary>
public sealed class ToolPackageTests
{
    [Fact]
    public async Task The_packed_tool_installs_into_a_tool_path_and_runs()
    {
        using var directory = new TempDirectory();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Debug"
            : "Release";
        var project = Path.Combine(Repository.Root(), "src", "OpenMme.Cli", "OpenMme.Cli.csproj");
        var packages = directory.Combine("packages");
        var tools = directory.Combine("tools");

        // --no-build: the suite has built the CLI already; packing it again would race other tests for its files.
        await RunAsync(directory.Path, "dotnet", "pack", project, "-c", configuration, "--no-build", "-o", packages);
        // Only the packed folder as a source: the test installs what was just packed, and reads no feed.
        await File.WriteAllTextAsync(directory.Combine("nuget.config"),
            $"<configuration><packageSources><clear /><add key=\"packed\" value=\"{packages}\" /></packageSources></configuration>");
        await RunAsync(directory.Path, "dotnet", "tool", "install", "--tool-path", tools, "--configfile", directory.Combine("nuget.config"), "openmme");
        var version = await RunAsync(directory.Path, Path.Combine(tools, "openmme"), "--version");
        var samples = await RunAsync(directory.Path, Path.Combine(tools, "openmme"), "samples", "--out", "models", "--count", "1", "--size", "10KB");

        Assert.StartsWith("0.1.0", version, StringComparison.Ordinal);
        Assert.Contains("Wrote 1 models", samples, StringComparison.Ordinal);
        Assert.True(File.Exists(directory.Combine("models", "fp32-000.onnx")));
        using var package = ZipFile.OpenRead(Path.Combine(packages, "openmme.0.1.0.nupkg"));
        Assert.Contains(package.Entries, e => e.FullName == "tools/net10.0/any/runtimes/linux-x64/native/libonnxruntime.so");
        Assert.DoesNotContain(package.Entries, e => e.FullName.Contains("/runtimes/android/", StringComparison.Ordinal)
            || e.FullName.Contains("/runtimes/ios/", StringComparison.Ordinal));
    }

    private static async Task<string> RunAsync(string workingDirectory, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        return await output;
    }
}
