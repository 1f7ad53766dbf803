using BenchmarkDotNet.Attributes;
using OpenMme.MemoryTier;

namespace OpenMme.Benchmarks;

/// <summary>
/// The memory tier's hit path alone: look a loaded model up, take a lease, end it. Against a
/// dictionary lookup of the same name (the least any cache must do), in the same run.
/// </summary>
[MemoryDiagnoser]
public class LeaseBenchmarks
{
    private readonly Dictionary<string, object> _dictionary = new(StringComparer.Ordinal);
    private SampleCache _samples = null!;
    private string _model = null!;

    [GlobalSetup]
    public void Setup()
    {
        _samples = new SampleCache("lease", 10_000);
        _model = _samples.Sample.Name;
        _dictionary[_model] = _samples.Sample;
        _samples.Cache.AcquireAsync(_model, CancellationToken.None).AsTask().GetAwaiter().GetResult().Dispose();
    }

    [GlobalCleanup]
    public void Cleanup() => _samples.Dispose();

    [Benchmark(Baseline = true, Description = "dictionary lookup")]
    public bool Lookup() => _dictionary.TryGetValue(_model, out _);

    [Benchmark(Description = "hit: lease and release")]
    public async ValueTask<bool> Hit()
    {
        using var lease = await _samples.Cache.AcquireAsync(_model, CancellationToken.None);
        return lease.Outcome == CacheOutcome.Hit;
    }
}
