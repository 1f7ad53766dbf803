using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using OpenMme.Buffers;
using OpenMme.Codecs;
using OpenMme.Samples;

namespace OpenMme.Benchmarks;

/// <summary>
/// Warm invocation through the host's code path (decode KServe JSON, take a lease, run,
/// encode the response) against a bare ONNX Runtime run of the same model with a
/// preallocated input: what the host adds on top of the runtime, per request.
/// </summary>
[MemoryDiagnoser]
public class WarmInvocationBenchmarks
{
    private SampleCache _samples = null!;
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
        _samples = new SampleCache("warm", ModelBytes);
        var sample = _samples.Sample;
        _model = sample.Name;
        _request = SampleWriter.RequestJson(sample);
        _input = Array.ConvertAll(sample.Inputs[0].Values, v => (float)v);
        _samples.Cache.AcquireAsync(_model, CancellationToken.None).AsTask().GetAwaiter().GetResult().Dispose();
        _response = new PooledBufferWriter(4096);

        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(_samples.ModelPath, options);
        _runOptions = new RunOptions();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _response.Dispose();
        _samples.Dispose();
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
        using var lease = await _samples.Cache.AcquireAsync(_model, CancellationToken.None);
        using var decoded = PayloadCodecs.Decode("application/json", _request, lease.Model.Signature);
        using var outputs = lease.Model.Run(decoded.Inputs);
        _response.Clear();
        PayloadCodecs.Encode(PayloadFormat.KServeJson, _response, _model, decoded, outputs);
        return _response.WrittenCount;
    }
}
