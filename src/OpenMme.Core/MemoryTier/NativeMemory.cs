using System.Runtime.InteropServices;

namespace OpenMme.MemoryTier;

/// <summary>
/// Hands memory that unloaded sessions freed back to the operating system: glibc keeps freed
/// native memory in its arenas otherwise, and resident memory would not fall after evictions.
/// </summary>
internal static partial class NativeMemory
{
    private static readonly bool Available = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out _);

    public static void Trim()
    {
        if (Available)
        {
            _ = MallocTrim(0);
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
