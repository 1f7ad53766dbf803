namespace OpenMme.Telemetry;

/// <summary>
/// Meter names per instance in a process. Exporters subscribe to meters by name, so two instances
/// in one process (tests, <c>serve --instances</c> in one process) whose meters shared a name would
/// each export both. The first instance of a role keeps the plain name; later ones get a suffix.
/// </summary>
public static class MeterNames
{
    private static readonly Dictionary<string, int> Counts = new(StringComparer.Ordinal);

    /// <summary>A meter name for one more instance of the role named <paramref name="baseName"/>.</summary>
    public static string ForInstance(string baseName)
    {
        lock (Counts)
        {
            var n = Counts[baseName] = Counts.GetValueOrDefault(baseName) + 1;
            return n == 1 ? baseName : $"{baseName}.{n}";
        }
    }
}
