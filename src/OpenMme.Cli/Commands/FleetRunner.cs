using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using OpenMme.Host;
using OpenMme.Router;

namespace OpenMme.Cli.Commands;

/// <summary>
/// <c>serve --instances N</c>: N <c>host</c> children on loopback, each with its share of the
/// budgets and a cache folder of its own, behind a router in this process. A child that exits
/// is started again on the same port; the children stop with this process (and, should it be
/// killed, by themselves: each watches its parent).
/// </summary>
internal static partial class FleetRunner
{
    public static async Task<int> RunAsync(ModelHostSettings settings, int count, RouterSettings routerSettings, Func<Uri, Task> started, TextWriter output,
        TextWriter errors, CancellationToken cancellationToken)
    {
        var children = new List<ChildInstance>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                children.Add(new ChildInstance(settings, i, count, output));
            }

            var addresses = await Task.WhenAll(children.Select(c => c.StartAsync(cancellationToken))).ConfigureAwait(false);
            if (addresses.Any(a => a is null))
            {
                await errors.WriteLineAsync($"openmme serve: {addresses.Count(a => a is null)} of {count} instances did not start; see their lines above.").ConfigureAwait(false);
                return 1;
            }

            return await RouterRunner.RunAsync(routerSettings with { Instances = addresses! }, "serve", output, started, errors, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAll(children.Select(c => c.StopAsync(settings.DrainDelay + TimeSpan.FromSeconds(10)))).ConfigureAwait(false);
            foreach (var child in children)
            {
                child.Dispose();
            }
        }
    }

    [GeneratedRegex(@" at (http://\S+) \(")]
    private static partial Regex ServingAt();

    /// <summary>One <c>host</c> child: started, watched, restarted on its port when it exits, stopped by its pid.</summary>
    private sealed class ChildInstance(ModelHostSettings settings, int index, int count, TextWriter output) : IDisposable
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
            var start = SelfLaunch.StartInfo([.. HostCommandOptions.ChildArguments(settings, index, count, _port)]);
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
                output.WriteLine($"[instance {index}] {line}");
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
                output.WriteLine($"[instance {index}] exited with code {code}; starting it again on port {_port}.");
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
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Terminate(int pid, int signal);
}
