using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace OpenMme.Cli.Commands;

/// <summary>
/// One <c>host</c> child process: started, watched, restarted on its port when it exits, stopped by its
/// pid. <c>serve --instances</c> and the control plane's local provisioner both run their instances as these.
/// </summary>
/// <param name="arguments">The child's command line for a port (0 on the first start: the child picks one, and keeps it on restarts).</param>
/// <param name="label">How its output lines are prefixed, e.g. <c>instance 0</c>.</param>
/// <param name="output">Where its output lines go.</param>
internal sealed partial class HostChild(Func<int, IReadOnlyList<string>> arguments, string label, TextWriter output) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private Process? _process;
    private int _port;
    private readonly TaskCompletionSource<Uri?> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _restarts;

    /// <summary>Starts the child and waits (up to a minute) for its address; null when it did not start.</summary>
    public async Task<Uri?> StartAsync(CancellationToken cancellationToken)
    {
        Launch();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            return await _address.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Asks the child to stop (SIGTERM: it drains), and kills it after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Process? process;
        lock (_gate)
        {
            process = _process;
        }

        if (process is null || process.HasExited)
        {
            return;
        }

        _ = Terminate(process.Id, Sigterm);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _process?.Dispose();
        }

        _stopping.Dispose();
    }

    private void Launch()
    {
        var start = SelfLaunch.StartInfo([.. arguments(_port)]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) => OnLine(line.Data);
        process.ErrorDataReceived += (_, line) => OnLine(line.Data);
        process.Exited += (_, _) => OnExited(process);
        lock (_gate)
        {
            _process?.Dispose();
            _process = process;
        }

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (ServingAt().Match(line) is { Success: true } match && Uri.TryCreate(match.Groups[1].Value, UriKind.Absolute, out var address))
        {
            _port = address.Port;
            _address.TrySetResult(address);
        }

        lock (output)
        {
            output.WriteLine($"[{label}] {line}");
        }
    }

    private void OnExited(Process process)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        var code = process.ExitCode;
        lock (output)
        {
            output.WriteLine($"[{label}] exited with code {code}; starting it again on port {_port}.");
        }

        if (_port == 0)
        {
            // It never started: nothing to keep a place for.
            _address.TrySetResult(null);
            return;
        }

        // Back off a little more each time, up to 10 s, so a child that cannot start does not spin.
        var delay = TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * (1 << Math.Min(Interlocked.Increment(ref _restarts), 6))));
        _ = Task.Delay(delay, _stopping.Token).ContinueWith(t =>
        {
            if (!t.IsCanceled)
            {
                Launch();
            }
        }, TaskScheduler.Default);
    }

    /// <summary>The process id of the running child, or null.</summary>
    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false } process ? process.Id : null;
            }
        }
    }

    [GeneratedRegex(@" at (http://\S+) \(")]
    private static partial Regex ServingAt();

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Terminate(int pid, int signal);
}
