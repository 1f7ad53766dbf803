using System.Runtime.InteropServices;

namespace OpenMme.MemoryTier;

/// <summary>
/// Hands memory that unloaded sessions freed back to the operating system: glibc keeps freed
/// native memory in its arenas otherwise, and resident memory would not fall after evictions.
/// </summary>
internal static partial class NativeMemory
{
    /// <summary>How long after an unload the heap is trimmed: unloads in a burst share one trim.</summary>
    public static readonly TimeSpan TrimDelay = TimeSpan.FromMilliseconds(100);

    private static readonly bool Available = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out _);
    private static int _scheduled;

    /// <summary>True while a trim is scheduled and has not run.</summary>
    public static bool TrimScheduled => Volatile.Read(ref _scheduled) != 0;

    public static void Trim()
    {
        if (Available)
        {
            _ = MallocTrim(0);
        }
    }

    /// <summary>
    /// Trims shortly, off the path of whoever unloaded. Trimming costs milliseconds, and a load that
    /// follows its eviction at once (the common cold path under memory pressure) reuses the freed
    /// memory instead of faulting fresh pages in; resident memory still falls within the delay.
    /// </summary>
    public static void TrimSoon(TimeProvider time)
    {
        if (Available && Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            _ = TrimLaterAsync(time);
        }
    }

    private static async Task TrimLaterAsync(TimeProvider time)
    {
        await Task.Delay(TrimDelay, time).ConfigureAwait(false);
        Volatile.Write(ref _scheduled, 0);
        Trim();
    }

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
