using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenMme.Cli.Commands;

/// <summary>
/// The <c>openmme</c> command run as a child process, as <c>dotnet openmme.dll</c> or through the
/// apphost <c>openmme</c> as a published or installed command runs; the process is killed by its
/// pid on dispose.
/// </summary>
internal sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServeProcess(Process process)
    {
        _process = process;
    }

    public Uri Address { get; private set; } = null!;

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static Task<ServeProcess> StartAsync(string workingDirectory, params string[] arguments) =>
        StartAsync(workingDirectory, new Dictionary<string, string>(), arguments);

    public static async Task<ServeProcess> StartAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var serve = new ServeProcess(Start(workingDirectory, arguments, environment, Launcher.Dotnet));
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        serve._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("openmme exited before it was serving: " + serve.Output));
                return;
            }

            lock (serve._output)
            {
                serve._output.AppendLine(e.Data);
            }

            var match = ServingLine().Match(e.Data);
            if (match.Success)
            {
                ready.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        serve._process.ErrorDataReceived += (_, e) =>
        {
            lock (serve._output)
            {
                serve._output.AppendLine(e.Data);
            }
        };
        serve._process.BeginOutputReadLine();
        serve._process.BeginErrorReadLine();
        try
        {
            serve.Address = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            // The curl hint follows the serving line; wait for it so callers can check the whole banner.
            for (var i = 0; arguments.Contains("--demo") && i < 50 && !serve.Output.Contains("curl -s", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100);
            }
        }
        catch
        {
            serve.Dispose();
            throw;
        }

        return serve;
    }

    public static Task<(int ExitCode, string Output, string Error)> RunToEndAsync(string workingDirectory, params string[] arguments) =>
        RunToEndAsync(Launcher.Dotnet, workingDirectory, arguments);

    public static Task<(int ExitCode, string Output, string Error)> RunToEndAsync(Launcher launcher, string workingDirectory, params string[] arguments) =>
        RunToEndAsync(launcher, workingDirectory, new Dictionary<string, string>(), arguments);

    public static async Task<(int ExitCode, string Output, string Error)> RunToEndAsync(Launcher launcher, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using var process = Start(workingDirectory, arguments, environment, launcher);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
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

        return (process.ExitCode, await output, await error);
    }

    /// <summary>Ends the process with SIGKILL, as a crash would.</summary>
    public void Crash()
    {
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static Process Start(string workingDirectory, string[] arguments, IReadOnlyDictionary<string, string>? environment, Launcher launcher)
    {
        var start = new ProcessStartInfo(launcher == Launcher.AppHost ? Path.Combine(AppContext.BaseDirectory, "openmme") : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        if (launcher == Launcher.Dotnet)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "openmme.dll"));
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    /// <summary>
    /// The start-up line of <c>serve</c> and <c>host</c> ("OpenMME serving ... at URL ") or of a router
    /// ("OpenMME router at URL "); at the start of a line, so the "[instance N]" lines of
    /// <c>serve --instances</c> children are not taken for the front door.
    /// </summary>
    [GeneratedRegex("^OpenMME (?:serving .*|router) at (http://[^ ]+) ")]
    private static partial Regex ServingLine();
}
