using OpenMme.Configuration;
using OpenMme.Host;
using OpenMme.Wire;

namespace OpenMme.Cli.Commands;

/// <summary>Runs one model-host instance in this process until shutdown (<c>serve</c>, <c>host</c>).</summary>
internal static class HostRunner
{
    /// <summary>The start-up line's address, which <c>serve --instances</c> reads from its children.</summary>
    public const string ServingAt = " at ";

    public static async Task<int> RunAsync(ModelHostSettings settings, string command, TextWriter output, Func<Uri, Task> started, TextWriter errors,
        CancellationToken cancellationToken, int? parentPid = null, IFrontDoorExtension? extension = null)
    {
        await using var app = ModelHostApplication.Create(settings, extension: extension);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ListenFailure.TryDescribe(e, command, settings.ListenAddress, settings.Port, out var message))
        {
            await errors.WriteLineAsync(message).ConfigureAwait(false);
            return 1;
        }

        var address = app.ListeningAddress();
        await output.WriteLineAsync($"OpenMME serving {settings.LocalModelFolder ?? settings.ModelSource}{ServingAt}{address} (endpoint '{settings.Http.EndpointName}', "
            + $"memory {ByteSize.Format(settings.MemoryBudgetBytes)}, disk {ByteSize.Format(settings.DiskBudgetBytes)}, model cache {settings.ModelCache}, "
            + $"eviction {settings.EvictionPolicy}, {SigningText(settings.Signing)}"
            + (settings.AccessLogPath is { } log ? $", access log {Path.GetFullPath(log)}" : string.Empty) + ").").ConfigureAwait(false);
        await started(address).ConfigureAwait(false);

        using var orphaned = parentPid is { } pid ? ParentWatch.Start(pid, app.Lifetime) : null;
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>The start-up line's word on signing, so nobody serves unsigned requests without being told.</summary>
    public static string SigningText(Wire.Auth.RequestSigningSettings signing) =>
        signing.IsEnabled ? $"SigV4 signatures required ({signing.AccessKeys.Count} access key{(signing.AccessKeys.Count == 1 ? string.Empty : "s")})" : "unsigned requests accepted";
}

/// <summary>
/// Stops a child instance when the process that started it is gone (killed, say, with no chance
/// to stop its children), so no instance outlives its <c>serve</c>.
/// </summary>
internal static class ParentWatch
{
    public static Timer Start(int parentPid, IHostApplicationLifetime lifetime) => new(_ =>
    {
        if (!IsAlive(parentPid))
        {
            lifetime.StopApplication();
        }
    }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
