namespace OpenMme.TestSupport;

/// <summary>
/// Meter listeners are process-wide: an instance's exporter also sees the instruments of other
/// instances in the same process. Tests that compare exact counts run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetricsCollection
{
    public const string Name = "process-wide metrics";
}
