namespace OpenMme.Planning;

/// <summary>An instance type: what a local profile scales budgets and concurrency by (SPEC section 8).</summary>
/// <param name="Name">SageMaker's name, e.g. <c>ml.r5.xlarge</c>.</param>
/// <param name="VCpus">vCPUs: the instance's invocation concurrency.</param>
/// <param name="MemoryGiB">Memory.</param>
/// <param name="Gpus">GPUs (0 for CPU types).</param>
/// <param name="GpuMemoryGiB">Memory of each GPU.</param>
internal sealed record InstanceProfile(string Name, int VCpus, double MemoryGiB, int Gpus = 0, int GpuMemoryGiB = 0)
{
    /// <summary>Memory in bytes.</summary>
    public long MemoryBytes => (long)(MemoryGiB * (1L << 30));
}
