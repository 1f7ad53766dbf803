using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using OpenMme.Buffers;
using OpenMme.Codecs;
using OpenMme.DiskTier;
using OpenMme.MemoryTier;
using OpenMme.Runtime.Onnx;
using OpenMme.Samples;
using OpenMme.Store;

namespace OpenMme.Benchmarks;

/// <summary>
/// Warm invocation through the host's code path (decode KServe JSON, take a lease, run,
/// encode the response) against a bare ONNX Runtime run of the same model with a
/// preallocated input: what the host adds on top of the runtime, per request.
/// </summary>
[MemoryDiagnoser]
public class WarmInvocationBenchmarks
{
    private string _folder = null!;
    private ModelCache _cache = null!;
    private byte[] _request = null!;
    private PooledBufferWriter _response = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private float[] _input = null!;
    private string _model = null!;

    [Params(10_000, 1_000_000)]
    public int ModelBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "openmme-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var sample = SampleModelFactory.Create(0, ModelBytes);
        Directory.CreateDirectory(Path.Combine(_folder, "models"));
        File.WriteAllBytes(Path.Combine(_folder, "models", sample.Name), sample.Onnx);
        _model = sample.Name;
        _request = SampleWriter.RequestJson(sample);
        _input = Array.ConvertAll(sample.Inputs[0].Values, v => (float)v);

        var store = new LocalFolderStore(Path.Combine(_folder, "models"));
        var disk = new DiskTier.DiskTier(new DiskTierOptions(Path.Combine(_folder, "cache"), 0, ArchiveLimits.Default), TimeProvider.System, NullLogger<DiskTier.DiskTier>.Instance);
        _cache = new ModelCache(ModelCacheOptions.ForBudget(1L << 30), store, disk, new OnnxModelRuntime(new OnnxRuntimeOptions()), TimeProvider.System, NullLogger<ModelCache>.Instance);
        _cache.AcquireAsync(_model, CancellationToken.None).AsTask().GetAwaiter().GetResult().Dispose();
        _response = new PooledBufferWriter(4096);

        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(Path.Combine(_folder, "models", sample.Name), options);
        _runOptions = new RunOptions();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _response.Dispose();
        _cache.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "bare ONNX Runtime run")]
    public float BareOnnxRuntime()
    {
        using var input = OrtValue.CreateTensorValueFromMemory(_input, [2, 8]);
        using var outputs = _session.Run(_runOptions, ["x"], [input], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [Benchmark(Description = "host path: decode, lease, run, encode")]
    public async Task<int> HostCodePath()
    {
        using var lease = await _cache.AcquireAsync(_model, CancellationToken.None);
        using var decoded = PayloadCodecs.Decode("application/json", _request, lease.Model.Signature);
        using var outputs = lease.Model.Run(decoded.Inputs);
        _response.Clear();
        PayloadCodecs.Encode(PayloadFormat.KServeJson, _response, _model, decoded, outputs);
        return _response.WrittenCount;
    }
}
