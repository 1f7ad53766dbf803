using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using OpenMme.MemoryTier;
using OpenMme.Samples;

namespace OpenMme.Benchmarks;

/// <summary>
/// A model's first invocation through the memory tier (stat, reserve, create the session, check
/// the file's identity, lease, run once), from a local folder store with an empty cache, against
/// its floor in the same run: read the same file, create a session with the same options, run once.
/// Each invocation starts cold: the previous session is disposed, its copy into the disk tier (made
/// after the answer, off the measured path) finished and deleted outside the measured time.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[InvocationCount(1)]
public class ColdLoadBenchmarks
{
    private SampleCache _samples = null!;
    private InferenceSession? _floorSession;

    [Params(1_000_000, 10_000_000, 100_000_000)]
    public int ModelBytes { get; set; }

    [GlobalSetup]
    public void Setup() => _samples = new SampleCache("cold", ModelBytes);

    [IterationSetup]
    public void MakeCold()
    {
        _floorSession?.Dispose();
        _floorSession = null;

        // The previous load's work after its answer (copy into the disk tier, footprint) finishes first.
        while (_samples.Cache.PendingBackgroundWork > 0)
        {
            Thread.Sleep(1);
        }

        _samples.Cache.Unload(_samples.Sample.Name);
        _samples.Disk.Remove(_samples.Sample.Name);

        // Both sides start from a heap handed back to the system, as an unload leaves it shortly after.
        while (NativeMemory.TrimScheduled)
        {
            Thread.Sleep(1);
        }

        NativeMemory.Trim();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        MakeCold();
        _samples.Dispose();
    }

    [Benchmark(Baseline = true, Description = "floor: read file, create session, run once")]
    public double Floor()
    {
        var bytes = File.ReadAllBytes(_samples.ModelPath);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _floorSession = new InferenceSession(bytes, options);
        using var inputs = SampleTensor.ToTensorSet(_samples.Sample.Inputs);
        using var input = OrtValue.CreateTensorValueFromMemory(inputs[0].AsSpan<float>().ToArray(), inputs[0].Shape);
        using var run = new RunOptions();
        using var outputs = _floorSession.Run(run, [inputs[0].Name], [input], [_samples.Sample.ExpectedOutputs[0].Name]);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [Benchmark(Description = "OpenMME: first invocation of a model")]
    public async Task<int> Cold()
    {
        using var lease = await _samples.Cache.AcquireAsync(_samples.Sample.Name, CancellationToken.None);
        using var inputs = SampleTensor.ToTensorSet(_samples.Sample.Inputs);
        using var outputs = lease.Model.Run(inputs);
        return outputs.Count;
    }
}
