namespace OpenMme.MemoryTier;

/// <summary>The process's resident memory, read from <c>/proc/self/statm</c> (Linux), else the working set.</summary>
public static class ProcessMemory
{
    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>Resident set size in bytes.</summary>
    public static long ResidentBytes()
    {
        try
        {
            var statm = File.ReadAllText("/proc/self/statm");
            var fields = statm.Split(' ', 3);
            if (fields.Length > 1 && long.TryParse(fields[1], out var pages))
            {
                return pages * PageSize;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.WorkingSet64;
    }
}
