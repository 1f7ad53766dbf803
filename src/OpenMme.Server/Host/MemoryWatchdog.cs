using OpenMme.MemoryTier;

namespace OpenMme.Host;

/// <summary>
/// Reads the process's resident memory periodically; above the memory budget plus the fixed
/// overhead, it evicts idle models (least valuable first) until the excess is freed. Estimates
/// can be wrong; this is what keeps the process from an out-of-memory kill.
/// </summary>
internal sealed partial class MemoryWatchdog(ModelCache cache, ModelHostSettings settings, TimeProvider time, ILogger<MemoryWatchdog> logger)
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
        var overhead = settings.MemoryOverheadBytes ?? (ProcessMemory.ResidentBytes() + DefaultSlackBytes);
        LimitBytes = settings.MemoryBudgetBytes + overhead;
        LogStarted(LimitBytes, overhead);
        using var timer = new PeriodicTimer(settings.WatchdogInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            Check();
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
        LogOverLimit(resident, LimitBytes, freed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Memory watchdog: resident limit {Limit} bytes (budget plus {Overhead} bytes of fixed overhead)")]
    private partial void LogStarted(long limit, long overhead);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resident memory {Resident} bytes is above the limit of {Limit}; evicted idle models holding {Freed} bytes")]
    private partial void LogOverLimit(long resident, long limit, long freed);
}
