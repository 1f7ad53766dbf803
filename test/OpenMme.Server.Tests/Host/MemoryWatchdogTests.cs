using OpenMme.TestSupport;

namespace OpenMme.Host;

/// <summary>One instance's watchdog, as its start line describes it.</summary>
[Trait("Scope", "Instance")]
public sealed class MemoryWatchdogTests
{
    [Fact]
    public async Task The_start_line_gives_limit_budget_and_overhead_in_human_sizes()
    {
        var logs = new CollectingLoggerProvider();
        await using var host = await HostFixture.StartAsync(StoreKind.LocalFolder, s => s with { MemoryBudgetBytes = 300L << 20, MemoryOverheadBytes = 128L << 20 }, logs: logs);
        for (var i = 0; i < 600 && !logs.Entries.Any(e => e.Category.EndsWith(nameof(MemoryWatchdog), StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }

        var started = Assert.Single(logs.Entries, e => e.Category.EndsWith(nameof(MemoryWatchdog), StringComparison.Ordinal));
        Assert.Equal("Memory watchdog: evicts idle models when resident memory passes 428 MiB (memory budget 300 MiB plus 128 MiB of fixed overhead)",
            started.Message);
    }
}
