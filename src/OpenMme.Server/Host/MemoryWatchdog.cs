using OpenMme.Configuration;
using OpenMme.MemoryTier;

namespace OpenMme.Host;

/// <summary>
/// Reads the process's resident memory periodically; above the memory budget plus the fixed
/// overhead, it evicts idle models (least valuable first) until the excess is freed. Estimates
/// can be wrong; this is what keeps the process from an out-of-memory kill.
/// </summary>
internal sealed partial class MemoryWatchdog(
    ModelCache cache, ModelHostSettings settings, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<MemoryWatchdog> logger)
    : BackgroundService
{
    /// <summary>
    /// Room above start-up resident memory for what is not a model: the runtime's warm-up after the
    /// first requests (about 45 MiB measured here), request buffers, and allocator slack under
    /// load-and-evict churn.
    /// </summary>
    public const long DefaultSlackBytes = 128L << 20;

    /// <summary>Resident memory above which idle models are evicted.</summary>
    public long LimitBytes { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Start-up memory is measured once the listener is up, and a start that failed (a port in
            // use) has nothing to watch and nothing to say.
            await WhenStartedAsync(stoppingToken).ConfigureAwait(false);
            var overhead = settings.MemoryOverheadBytes ?? (ProcessMemory.ResidentBytes() + DefaultSlackBytes);
            LimitBytes = settings.MemoryBudgetBytes + overhead;
            LogStarted(ByteSize.Format(LimitBytes), ByteSize.Format(settings.MemoryBudgetBytes), ByteSize.Format(overhead));
            using var timer = new PeriodicTimer(settings.WatchdogInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping is the watchdog's normal end, also when the host stops it after a failed start;
            // left to escape, the host would report a background service crash.
        }
    }

    internal void Check()
    {
        var resident = ProcessMemory.ResidentBytes();
        if (resident <= LimitBytes)
        {
            return;
        }

        var freed = cache.EvictForMemoryPressure(resident - LimitBytes, "rss");
        LogOverLimit(ByteSize.Format(resident), ByteSize.Format(LimitBytes), ByteSize.Format(freed));
    }

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), started);
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Memory watchdog: evicts idle models when resident memory passes {Limit} (memory budget {Budget} plus {Overhead} of fixed overhead)")]
    private partial void LogStarted(string limit, string budget, string overhead);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resident memory {Resident} is above the limit of {Limit}; evicted idle models holding {Freed}")]
    private partial void LogOverLimit(string resident, string limit, string freed);
}
