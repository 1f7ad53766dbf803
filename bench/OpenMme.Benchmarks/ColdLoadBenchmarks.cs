using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using OpenMme.DiskTier;
using OpenMme.MemoryTier;
using OpenMme.Runtime.Onnx;
using OpenMme.Samples;
using OpenMme.Store;

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
    private string _folder = null!;
    private string _modelPath = null!;
    private SampleModel _sample = null!;
    private DiskTier.DiskTier _disk = null!;
    private ModelCache _cache = null!;
    private InferenceSession? _floorSession;

    [Params(1_000_000, 10_000_000, 100_000_000)]
    public int ModelBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "openmme-cold-" + Guid.NewGuid().ToString("N")[..8]);
        _sample = SampleModelFactory.Create(0, ModelBytes);
        Directory.CreateDirectory(Path.Combine(_folder, "models"));
        _modelPath = Path.Combine(_folder, "models", _sample.Name);
        File.WriteAllBytes(_modelPath, _sample.Onnx);
        var store = new LocalFolderStore(Path.Combine(_folder, "models"));
        _disk = new DiskTier.DiskTier(new DiskTierOptions(Path.Combine(_folder, "cache"), 0, ArchiveLimits.Default), TimeProvider.System,
            NullLogger<DiskTier.DiskTier>.Instance);
        _cache = new ModelCache(ModelCacheOptions.ForBudget(4L << 30), store, _disk, new OnnxModelRuntime(new OnnxRuntimeOptions()), TimeProvider.System,
            NullLogger<ModelCache>.Instance);
    }

    [IterationSetup]
    public void MakeCold()
    {
        _floorSession?.Dispose();
        _floorSession = null;

        // The previous load's work after its answer (copy into the disk tier, footprint) finishes first.
        while (_cache.PendingBackgroundWork > 0)
        {
            Thread.Sleep(1);
        }

        _cache.Unload(_sample.Name);
        _disk.Remove(_sample.Name);

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
        _cache.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "floor: read file, create session, run once")]
    public double Floor()
    {
        var bytes = File.ReadAllBytes(_modelPath);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _floorSession = new InferenceSession(bytes, options);
        using var inputs = SampleTensor.ToTensorSet(_sample.Inputs);
        using var input = OrtValue.CreateTensorValueFromMemory(inputs[0].AsSpan<float>().ToArray(), inputs[0].Shape);
        using var run = new RunOptions();
        using var outputs = _floorSession.Run(run, [inputs[0].Name], [input], [_sample.ExpectedOutputs[0].Name]);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [Benchmark(Description = "OpenMME: first invocation of a model")]
    public async Task<int> Cold()
    {
        using var lease = await _cache.AcquireAsync(_sample.Name, CancellationToken.None);
        using var inputs = SampleTensor.ToTensorSet(_sample.Inputs);
        using var outputs = lease.Model.Run(inputs);
        return outputs.Count;
    }
}
