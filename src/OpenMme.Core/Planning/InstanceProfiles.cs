namespace OpenMme.Planning;

/// <summary>
/// The instance types OpenMME knows: SageMaker's GPU types as SPEC section 8 lists them, and the
/// general-purpose (m5), compute (c5) and memory (r5) CPU families at AWS's published sizes.
/// </summary>
internal static class InstanceProfiles
{
    /// <summary>Every known type, CPU types first, each family by size.</summary>
    public static IReadOnlyList<InstanceProfile> All { get; } =
    [
        .. Family("ml.c5", 2, ("large", 2), ("xlarge", 4), ("2xlarge", 8), ("4xlarge", 16), ("9xlarge", 36), ("18xlarge", 72)),
        .. Family("ml.m5", 4, ("large", 2), ("xlarge", 4), ("2xlarge", 8), ("4xlarge", 16), ("12xlarge", 48), ("24xlarge", 96)),
        .. Family("ml.r5", 8, ("large", 2), ("xlarge", 4), ("2xlarge", 8), ("4xlarge", 16), ("12xlarge", 48), ("24xlarge", 96)),
        new InstanceProfile("ml.p2.xlarge", 4, 4 * 15.25, Gpus: 1, GpuMemoryGiB: 12),
        new InstanceProfile("ml.p3.2xlarge", 8, 8 * 7.62, Gpus: 1, GpuMemoryGiB: 16),
        .. Family("ml.g5", 4, ("xlarge", 4), ("2xlarge", 8), ("4xlarge", 16), ("8xlarge", 32), ("16xlarge", 64)).Select(p => p with { Gpus = 1, GpuMemoryGiB = 24 }),
        .. Family("ml.g4dn", 4, ("xlarge", 4), ("2xlarge", 8), ("4xlarge", 16), ("8xlarge", 32), ("16xlarge", 64)).Select(p => p with { Gpus = 1, GpuMemoryGiB = 16 }),
    ];

    /// <summary>The CPU types.</summary>
    public static IReadOnlyList<InstanceProfile> Cpu { get; } = [.. All.Where(p => p.Gpus == 0)];

    /// <summary>The GPU types.</summary>
    public static IReadOnlyList<InstanceProfile> Gpu { get; } = [.. All.Where(p => p.Gpus > 0)];

    /// <summary>The type called <paramref name="name"/>, or null.</summary>
    public static InstanceProfile? Find(string name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<InstanceProfile> Family(string family, double gibPerVCpu, params (string Size, int VCpus)[] sizes) =>
        sizes.Select(s => new InstanceProfile($"{family}.{s.Size}", s.VCpus, s.VCpus * gibPerVCpu));
}
