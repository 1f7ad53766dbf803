namespace OpenMme.Planning;

/// <summary>A number of instances of one type, and what they gave on the trace.</summary>
/// <param name="Profile">The instance type.</param>
/// <param name="Count">How many.</param>
/// <param name="ModelBytesPerInstance">Each instance's memory budget for models.</param>
/// <param name="Result">The replay's result.</param>
internal sealed record InstanceChoice(InstanceProfile Profile, int Count, long ModelBytesPerInstance, SimulationResult Result)
{
    public double TotalMemoryGiB => Count * Profile.MemoryGiB;

    public int TotalVCpus => Count * Profile.VCpus;
}
