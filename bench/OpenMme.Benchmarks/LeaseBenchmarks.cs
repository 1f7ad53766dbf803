using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenMme.DiskTier;
using OpenMme.MemoryTier;
using OpenMme.Runtime.Onnx;
using OpenMme.Samples;
using OpenMme.Store;

namespace OpenMme.Benchmarks;

/// <summary>
/// The memory tier's hit path alone: look a loaded model up, take a lease, end it. Against a
/// dictionary lookup of the same name (the least any cache must do), in the same run.
/// </summary>
[MemoryDiagnoser]
public class LeaseBenchmarks
{
    private readonly Dictionary<string, object> _dictionary = new(StringComparer.Ordinal);
    private string _folder = null!;
    private ModelCache _cache = null!;
    private string _model = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "openmme-lease-" + Guid.NewGuid().ToString("N")[..8]);
        var sample = SampleModelFactory.Create(0, 10_000);
        Directory.CreateDirectory(Path.Combine(_folder, "models"));
        File.WriteAllBytes(Path.Combine(_folder, "models", sample.Name), sample.Onnx);
        _model = sample.Name;
        _dictionary[_model] = sample;
        var store = new LocalFolderStore(Path.Combine(_folder, "models"));
        var disk = new DiskTier.DiskTier(new DiskTierOptions(Path.Combine(_folder, "cache"), 0, ArchiveLimits.Default), TimeProvider.System, NullLogger<DiskTier.DiskTier>.Instance);
        _cache = new ModelCache(ModelCacheOptions.ForBudget(1L << 30), store, disk, new OnnxModelRuntime(new OnnxRuntimeOptions()), TimeProvider.System, NullLogger<ModelCache>.Instance);
        _cache.AcquireAsync(_model, CancellationToken.None).AsTask().GetAwaiter().GetResult().Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "dictionary lookup")]
    public bool Lookup() => _dictionary.TryGetValue(_model, out _);

    [Benchmark(Description = "hit: lease and release")]
    public async ValueTask<bool> Hit()
    {
        using var lease = await _cache.AcquireAsync(_model, CancellationToken.None);
        return lease.Outcome == CacheOutcome.Hit;
    }
}
