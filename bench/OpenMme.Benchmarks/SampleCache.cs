using Microsoft.Extensions.Logging.Abstractions;
using OpenMme.DiskTier;
using OpenMme.MemoryTier;
using OpenMme.Runtime.Onnx;
using OpenMme.Samples;
using OpenMme.Store;

namespace OpenMme.Benchmarks;

/// <summary>A memory tier over a temporary model folder holding one sample model, with ONNX Runtime; deleted on dispose.</summary>
internal sealed class SampleCache : IDisposable
{
    private readonly string _folder;

    public SampleCache(string name, int modelBytes)
    {
        _folder = Path.Combine(Path.GetTempPath(), $"openmme-{name}-" + Guid.NewGuid().ToString("N")[..8]);
        Sample = SampleModelFactory.Create(0, modelBytes);
        Directory.CreateDirectory(Path.Combine(_folder, "models"));
        ModelPath = Path.Combine(_folder, "models", Sample.Name);
        File.WriteAllBytes(ModelPath, Sample.Onnx);
        var store = new LocalFolderStore(Path.Combine(_folder, "models"));
        Disk = new DiskTier.DiskTier(new DiskTierOptions(Path.Combine(_folder, "cache"), 0, ArchiveLimits.Default), TimeProvider.System,
            NullLogger<DiskTier.DiskTier>.Instance);
        Cache = new ModelCache(ModelCacheOptions.ForBudget(4L << 30), store, Disk, new OnnxModelRuntime(new OnnxRuntimeOptions()), TimeProvider.System,
            NullLogger<ModelCache>.Instance);
    }

    public SampleModel Sample { get; }

    public string ModelPath { get; }

    public DiskTier.DiskTier Disk { get; }

    public ModelCache Cache { get; }

    public void Dispose()
    {
        Cache.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
