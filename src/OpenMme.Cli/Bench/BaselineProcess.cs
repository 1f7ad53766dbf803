using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenMme.Cli.Commands;

namespace OpenMme.Cli.Bench;

/// <summary>An <c>openmme baseline</c> child process, killed by its pid on dispose.</summary>
internal sealed partial class BaselineProcess : IDisposable
{
    private readonly Process _process;

    private BaselineProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<BaselineProcess> StartAsync(CancellationToken cancellationToken)
    {
        var start = SelfLaunch.StartInfo("baseline");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    return new BaselineProcess(process, new Uri(match.Groups[1].Value));
                }
            }

            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"The baseline endpoint ({start.FileName} {string.Join(' ', start.ArgumentList)}) exited with {process.ExitCode} before it was listening: "
                + (await error.ConfigureAwait(false)).Trim());
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Stop(_process);
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    [GeneratedRegex("Baseline listening at (http://\\S+)")]
    private static partial Regex ListeningLine();
}
