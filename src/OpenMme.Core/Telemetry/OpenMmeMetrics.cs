using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpenMme.Telemetry;

/// <summary>
/// The instance's instruments, named after SageMaker's CloudWatch metrics (docs/metrics.md).
/// Labels are bounded: a result, a status class or an eviction reason, never a model name.
/// </summary>
public sealed class OpenMmeMetrics : IDisposable
{
    /// <summary>The meter's name, for exporters.</summary>
    public const string MeterName = "OpenMme";

    // Histograms in seconds from 100 us (a warm run) to 360 s (the load timeout).
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 360],
    };

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Process _process = Process.GetCurrentProcess();
    private TimeSpan _lastCpu;
    private long _lastCpuTimestamp;

    /// <summary>Creates the instruments on a meter from <paramref name="factory"/>, or on a private meter.</summary>
    /// <param name="factory">The host's meter factory, or null for a private meter.</param>
    /// <param name="meterName">The meter's name: <see cref="MeterName"/>, or one from <see cref="MeterNames.ForInstance"/> for one of several instances in a process.</param>
    public OpenMmeMetrics(IMeterFactory? factory = null, string meterName = MeterName)
    {
        _meter = factory?.Create(meterName) ?? new Meter(meterName);
        _ownsMeter = factory is null;
        Invocations = _meter.CreateCounter<long>("openmme.invocations", description: "Invocations received (SageMaker Invocations).");
        Invocation4xxErrors = _meter.CreateCounter<long>("openmme.invocation.4xx_errors", description: "Invocations answered 4xx (Invocation4XXErrors).");
        Invocation5xxErrors = _meter.CreateCounter<long>("openmme.invocation.5xx_errors", description: "Invocations answered 5xx (Invocation5XXErrors).");
        CacheLookups = _meter.CreateCounter<long>("openmme.model_cache.lookups", description: "Model lookups by result: hit, disk or miss (ModelCacheHit = hit / all).");
        ModelLoadingWaitTime = _meter.CreateHistogram<double>("openmme.model.loading_wait_time", "s", "Time an invocation waited for its model to be downloaded and loaded (ModelLoadingWaitTime).", tags: null, advice: SecondsBuckets);
        ModelDownloadingTime = _meter.CreateHistogram<double>("openmme.model.downloading_time", "s", "Time to download and unpack an artifact (ModelDownloadingTime).", tags: null, advice: SecondsBuckets);
        ModelLoadingTime = _meter.CreateHistogram<double>("openmme.model.loading_time", "s", "Time to load a model into memory (ModelLoadingTime).", tags: null, advice: SecondsBuckets);
        ModelUnloadingTime = _meter.CreateHistogram<double>("openmme.model.unloading_time", "s", "Time to unload a model (ModelUnloadingTime).", tags: null, advice: SecondsBuckets);
        ModelLatency = _meter.CreateHistogram<double>("openmme.model.latency", "s", "Time the model took to run (ModelLatency).", tags: null, advice: SecondsBuckets);
        OverheadLatency = _meter.CreateHistogram<double>("openmme.overhead.latency", "s", "Time of an invocation outside the model run (OverheadLatency).", tags: null, advice: SecondsBuckets);
        Evictions = _meter.CreateCounter<long>("openmme.model.evictions", description: "Models removed from memory, by reason: memory, rss, unload, cache_disabled.");
        _lastCpu = _process.TotalProcessorTime;
        _lastCpuTimestamp = Stopwatch.GetTimestamp();
        _meter.CreateObservableGauge("openmme.cpu.utilization", CpuUtilization, "1", "Process CPU time over wall time and vCPUs, 0-1 (CPUUtilization / 100).");
    }

    public Counter<long> Invocations { get; }

    public Counter<long> Invocation4xxErrors { get; }

    public Counter<long> Invocation5xxErrors { get; }

    public Counter<long> CacheLookups { get; }

    public Histogram<double> ModelLoadingWaitTime { get; }

    public Histogram<double> ModelDownloadingTime { get; }

    public Histogram<double> ModelLoadingTime { get; }

    public Histogram<double> ModelUnloadingTime { get; }

    public Histogram<double> ModelLatency { get; }

    public Histogram<double> OverheadLatency { get; }

    public Counter<long> Evictions { get; }

    /// <summary>Adds an observable gauge on this meter (for values other components own).</summary>
    public void Gauge(string name, Func<double> observe, string unit, string description) =>
        _meter.CreateObservableGauge(name, observe, unit, description);

    /// <inheritdoc />
    public void Dispose()
    {
        _process.Dispose();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private double CpuUtilization()
    {
        lock (_process)
        {
            _process.Refresh();
            var cpu = _process.TotalProcessorTime;
            var now = Stopwatch.GetTimestamp();
            var wall = Stopwatch.GetElapsedTime(_lastCpuTimestamp, now);
            var used = cpu - _lastCpu;
            _lastCpu = cpu;
            _lastCpuTimestamp = now;
            return wall <= TimeSpan.Zero ? 0 : Math.Clamp(used / wall / Environment.ProcessorCount, 0, 1);
        }
    }
}
