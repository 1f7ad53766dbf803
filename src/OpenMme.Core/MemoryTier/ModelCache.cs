using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpenMme.Concurrency;
using OpenMme.Failures;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Runtime;
using OpenMme.Store;
using OpenMme.Telemetry;

namespace OpenMme.MemoryTier;

/// <summary>
/// The memory tier: loaded models under a byte budget. A hit takes a lease without locks; a miss
/// joins the one load running for that model (single flight), bounded by a load-concurrency
/// limit. Making room evicts idle models in the order of the eviction policy; models with
/// leases or pins are never evicted, and a load waits for one to become idle rather than
/// overrun the budget.
/// </summary>
public sealed partial class ModelCache : IDisposable
{
    private readonly ModelCacheOptions _options;
    private readonly IModelStore _store;
    private readonly DiskTier.DiskTier _disk;
    private readonly IModelRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly OpenMmeMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly IEvictionPolicy _policy;
    private readonly ConcurrentDictionary<string, CachedModel> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _registrations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelStatistics> _statistics = new(StringComparer.Ordinal);
    private readonly SingleFlight<string, LoadResult> _loads = new();
    private long _clock;
    private long _hits;
    private long _leases;

    /// <summary>Creates the memory tier over a store, its disk tier and a runtime backend.</summary>
    public ModelCache(ModelCacheOptions options, IModelStore store, DiskTier.DiskTier disk, IModelRuntime runtime, TimeProvider time,
        ILogger<ModelCache> logger, OpenMmeMetrics? metrics = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BudgetBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxConcurrentLoads);
        _options = options;
        _store = store;
        _disk = disk;
        _runtime = runtime;
        _time = time;
        _logger = logger;
        _ownsMetrics = metrics is null;
        _metrics = metrics ?? new OpenMmeMetrics();
        _policy = EvictionPolicies.Create(options.EvictionPolicy);
        _loadSlots = new SemaphoreSlim(options.MaxConcurrentLoads, options.MaxConcurrentLoads);
        disk.IsInUse = key => _loads.IsRunning(key) || IsLoadedKey(key);
        _metrics.Gauge("openmme.loaded_models", () => _models.Count, "{model}", "Models in memory (LoadedModelCount).");
        _metrics.Gauge("openmme.memory_tier.bytes", () => Interlocked.Read(ref _accountedBytes), "By", "Bytes the memory tier accounts for loaded models.");
    }

    /// <summary>The store models are loaded from.</summary>
    public IModelStore Store => _store;

    /// <summary>The memory budget in bytes.</summary>
    public long BudgetBytes => _options.BudgetBytes;

    /// <summary>The eviction policy's name.</summary>
    public string EvictionPolicy => _policy.Name;

    /// <summary>Takes a lease on a model, loading it first when it is not in memory.</summary>
    /// <param name="name">The model name (the target model key on the runtime API).</param>
    /// <param name="requestId">The request that asks, named in the logs of a load it starts.</param>
    /// <param name="cancellationToken">Stops waiting; a load already running goes on for other callers.</param>
    public ValueTask<ModelLease> AcquireAsync(string name, string? requestId, CancellationToken cancellationToken)
    {
        return _models.TryGetValue(name, out var entry) && TryLease(entry, CacheOutcome.Hit) is { } lease
            ? new ValueTask<ModelLease>(lease)
            : AcquireColdAsync(name, requestId, cancellationToken);
    }

    /// <summary>Takes a lease on a model (no request id for the logs).</summary>
    public ValueTask<ModelLease> AcquireAsync(string name, CancellationToken cancellationToken) => AcquireAsync(name, null, cancellationToken);

    /// <summary>Loads a model ahead of use under <paramref name="name"/> from store key <paramref name="key"/> (container <c>POST /models</c>).</summary>
    public async Task<CacheOutcome> LoadAsync(string name, string key, CancellationToken cancellationToken)
    {
        ModelKey.Validate(key);
        if (_models.ContainsKey(name))
        {
            throw new ModelHostException(FailureKind.ModelAlreadyLoaded, $"Model '{name}' is already loaded.");
        }

        _registrations[name] = key;
        var result = await _loads.RunAsync(name, (Cache: this, RequestId: (string?)null), static (n, s) => s.Cache.LoadColdAsync(n, s.RequestId))
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return result.Outcome;
    }

    /// <summary>Pins (never evicted, never unloaded by cache-disabled mode) or unpins a loaded model. False when it is not loaded.</summary>
    public bool Pin(string name, bool pinned)
    {
        if (!_models.TryGetValue(name, out var entry))
        {
            return false;
        }

        entry.IsPinned = pinned;
        LogPinned(name, pinned);
        return true;
    }

    /// <summary>Unloads a model: it leaves memory once its in-flight requests finish. False when it is not loaded.</summary>
    public bool Unload(string name)
    {
        _registrations.TryRemove(name, out _);
        if (!_models.TryRemove(name, out var entry))
        {
            return false;
        }

        entry.Retire();
        Evicted(entry, "unload");
        if (entry.TryBeginEviction())
        {
            Dispose(entry);
        }

        return true;
    }

    /// <summary>True when the model is in memory.</summary>
    public bool IsLoaded(string name) => _models.ContainsKey(name);

    /// <summary>Describes a loaded model, or null.</summary>
    public LoadedModelInfo? Describe(string name) => _models.TryGetValue(name, out var entry) ? Info(entry) : null;

    /// <summary>Every loaded model, ordered by name.</summary>
    public IReadOnlyList<LoadedModelInfo> List()
    {
        var list = new List<LoadedModelInfo>(_models.Count);
        foreach (var entry in _models.Values)
        {
            list.Add(Info(entry));
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    /// <summary>The store key a model name loads from.</summary>
    public string KeyOf(string name) => _registrations.TryGetValue(name, out var key) ? key : name;

    /// <summary>Cumulative counters.</summary>
    public ModelCacheCounters Counters => new(
        Interlocked.Read(ref _hits),
        Interlocked.Read(ref _diskLoads),
        Interlocked.Read(ref _misses),
        Interlocked.Read(ref _loadCount),
        Interlocked.Read(ref _failedLoads),
        Interlocked.Read(ref _evictions),
        Interlocked.Read(ref _unloads),
        Interlocked.Read(ref _leases),
        Interlocked.Read(ref _accountedBytes),
        _models.Count);

    /// <summary>Unloads every model.</summary>
    public void Dispose()
    {
        foreach (var name in _models.Keys)
        {
            Unload(name);
        }

        _loadSlots.Dispose();
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    internal void Release(CachedModel entry)
    {
        Interlocked.Decrement(ref _leases);
        if (entry.Release() != 0)
        {
            return;
        }

        if (entry.IsRetired && entry.TryBeginEviction())
        {
            Dispose(entry);
        }
        else if (_options.Setting == ModelCacheSetting.Disabled && !entry.IsPinned)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Cache.DropAfterUse(state.Entry), (Cache: this, Entry: entry), preferLocal: false);
        }

        SignalIdle();
    }

    private async ValueTask<ModelLease> AcquireColdAsync(string name, string? requestId, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            LoadResult result;
            try
            {
                result = await _loads.RunAsync(name, (Cache: this, RequestId: requestId), static (n, s) => s.Cache.LoadColdAsync(n, s.RequestId))
                    .WaitAsync(_options.LoadWaitTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new ModelHostException(FailureKind.ModelNotReady,
                    $"Model '{name}' is still loading after {_options.LoadWaitTimeout.TotalSeconds:0.###} s; the load goes on, retry shortly.");
            }

            var lease = TryLease(result.Entry, result.Outcome) ?? (_models.TryGetValue(name, out var current) ? TryLease(current, CacheOutcome.Hit) : null);
            if (lease is { } leased)
            {
                _metrics.ModelLoadingWaitTime.Record(_time.GetElapsedTime(started).TotalSeconds);
                return leased;
            }

            // Evicted between its load and our lease (only under heavy memory pressure): load again.
        }
    }

    private ModelLease? TryLease(CachedModel entry, CacheOutcome outcome)
    {
        if (!entry.TryAddReference())
        {
            return null;
        }

        var hit = outcome == CacheOutcome.Hit;
        entry.RecordUse(Interlocked.Increment(ref _clock), _policy.Inflation, hit);
        if (hit)
        {
            Interlocked.Increment(ref _hits);
        }

        _metrics.CacheLookups.Add(1, CacheTags.For(outcome));
        Interlocked.Increment(ref _leases);
        return new ModelLease(this, entry, outcome);
    }

    private ModelStatistics StatisticsOf(string name) => _statistics.GetOrAdd(name, static _ => new ModelStatistics());

    private bool IsLoadedKey(string key)
    {
        foreach (var entry in _models.Values)
        {
            if (entry.Artifact.Key == key)
            {
                return true;
            }
        }

        return false;
    }

    private static LoadedModelInfo Info(CachedModel entry)
    {
        var statistics = entry.Statistics;
        return new LoadedModelInfo(entry.Name, entry.Artifact.Key, entry.Version.Tag, entry.Bytes, statistics.Hits, statistics.Misses,
            statistics.Loads, statistics.Evictions, Math.Max(0, entry.References), entry.LoadedAt, entry.LoadTime.TotalSeconds, entry.IsPinned);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pinned {Model}: {Pinned}")]
    private partial void LogPinned(string model, bool pinned);

    private sealed record LoadResult(CachedModel Entry, CacheOutcome Outcome);
}
