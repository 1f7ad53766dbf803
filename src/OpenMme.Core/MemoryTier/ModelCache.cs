using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using OpenMme.Failures;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Runtime;
using OpenMme.Store;
using OpenMme.Telemetry;

namespace OpenMme.MemoryTier;

/// <summary>
/// The memory tier: loaded models under a byte budget. A hit takes a lease without locks or
/// allocations; a miss joins the one load running for that name (the entry in the name map is
/// the load: single flight), bounded by a load-concurrency limit. Making room evicts idle models
/// in the order of the eviction policy; models with leases or pins are never evicted, and a load
/// waits for one to become idle rather than overrun the budget.
/// </summary>
/// <remarks>
/// Interleavings the design answers (each forced by a test in ModelCacheInterleavingTests):
/// a load waiting for room while leases come and go (no reservation without room);
/// a load under an alias while another download needs the disk (loads hold an artifact handle);
/// a lease disposed twice (the token's generation ends once);
/// an unload while the model loads (the unload waits for the load, then unloads);
/// an eviction between a load and its first lease (the waiter loads again).
/// </remarks>
public sealed partial class ModelCache : IDisposable
{
    /// <summary>Logged as the request of work no request asked for (a load ahead of use, the watchdog).</summary>
    private const string NoRequest = "-";

    private readonly ModelCacheOptions _options;
    private readonly IModelStore _store;
    private readonly DiskTier.DiskTier _disk;
    private readonly IModelRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly OpenMmeMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly ResidentSet _resident;
    private readonly MemoryBudget _budget;
    private readonly FailureMemory _failures;
    private readonly ObjectPool<LeaseToken> _leaseTokens;
    private readonly AccessLog? _accessLog;
    private readonly ConcurrentDictionary<string, CachedModel> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ModelStatistics> _statistics = new(StringComparer.Ordinal);
    private long _leases;
    private int _disposed;

    /// <summary>Creates the memory tier over a store, its disk tier and a runtime backend.</summary>
    /// <param name="options">Budget, policy, concurrency and timeouts.</param>
    /// <param name="store">Where models are loaded from.</param>
    /// <param name="disk">The disk tier artifacts are staged in.</param>
    /// <param name="runtime">The runtime backend that loads them.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where loads, evictions and failures are logged.</param>
    /// <param name="metrics">The instance's instruments; a private set when null.</param>
    /// <param name="accessLog">Where every answered request is recorded, when asked for.</param>
    public ModelCache(ModelCacheOptions options, IModelStore store, DiskTier.DiskTier disk, IModelRuntime runtime, TimeProvider time,
        ILogger<ModelCache> logger, OpenMmeMetrics? metrics = null, AccessLog? accessLog = null)
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
        _resident = new ResidentSet(options.EvictionPolicy, options.BudgetBytes);
        _budget = _resident.Budget;
        _accessLog = accessLog;
        _failures = new FailureMemory(time, options.FailureMemory);
        _leaseTokens = new DefaultObjectPool<LeaseToken>(new LeaseTokenPolicy(this), maximumRetained: 1024);
        _loadSlots = new SemaphoreSlim(options.MaxConcurrentLoads, options.MaxConcurrentLoads);
        _metrics.Gauge("openmme.loaded_models", () => LoadedCount(), "{model}", "Models in memory (LoadedModelCount).");
        _metrics.Gauge("openmme.memory_tier.bytes", () => _budget.Accounted, "By", "Bytes the memory tier accounts for loaded models.");
    }

    /// <summary>The store models are loaded from.</summary>
    public IModelStore Store => _store;

    /// <summary>The memory budget in bytes.</summary>
    public long BudgetBytes => _options.BudgetBytes;

    /// <summary>The eviction policy's name.</summary>
    public string EvictionPolicy => _resident.Policy.Name;

    /// <summary>The eviction policy (tests check that it holds exactly the models loaded).</summary>
    internal IEvictionPolicy Policy => _resident.Policy;

    /// <summary>Takes a lease on a model, loading it first when it is not in memory.</summary>
    /// <param name="name">The model name: one loaded under that name, else the store key it names (the target model on the runtime API).</param>
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

    /// <summary>Takes a lease on a model only if it is in memory now (container contract's <c>/models/{name}/invoke</c>); null otherwise.</summary>
    public ModelLease? TryAcquireLoaded(string name) =>
        _models.TryGetValue(name, out var entry) ? TryLease(entry, CacheOutcome.Hit) : null;

    /// <summary>
    /// Loads a model ahead of use under <paramref name="name"/> from store key <paramref name="key"/>
    /// (container <c>POST /models</c>). Joins a load of the same name and key already running;
    /// a name loaded or loading from another key is a conflict.
    /// </summary>
    /// <param name="name">The name to load under.</param>
    /// <param name="key">The store key.</param>
    /// <param name="pinned">Pin the model (never evicted) from the moment it is loaded.</param>
    /// <param name="requestId">The request that asks, named in the load's logs.</param>
    /// <param name="cancellationToken">Stops waiting; the load goes on.</param>
    public async Task<CacheOutcome> LoadAsync(string name, string key, bool pinned, string? requestId, CancellationToken cancellationToken)
    {
        ModelKey.Validate(key);
        var entry = GetOrStartLoad(name, key, pinned, requestId, join: false, out var started);
        if (!started && (entry.Key != key || !entry.IsLoading))
        {
            throw new ModelHostException(FailureKind.ModelAlreadyLoaded, entry.Key == key
                ? $"Model '{name}' is already loaded."
                : $"Model '{name}' is already loaded from '{entry.Key}'; unload it before loading it from '{key}'.");
        }

        var outcome = await entry.Loaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (pinned && !started)
        {
            Pin(name, pinned: true);
        }

        return outcome;
    }

    /// <summary>Loads a model ahead of use, unpinned.</summary>
    public Task<CacheOutcome> LoadAsync(string name, string key, CancellationToken cancellationToken) =>
        LoadAsync(name, key, pinned: false, requestId: null, cancellationToken);

    /// <summary>Pins (never evicted, never unloaded by cache-disabled mode) or unpins a loaded model. False when it is not loaded.</summary>
    public bool Pin(string name, bool pinned)
    {
        if (!_models.TryGetValue(name, out var entry) || !entry.IsLive)
        {
            return false;
        }

        if (entry.IsPinned != pinned)
        {
            entry.IsPinned = pinned;
            LogPinned(name, pinned);
        }

        return true;
    }

    /// <summary>
    /// Unloads a model: it leaves memory once its in-flight requests finish. A model still loading
    /// is unloaded once its load ends. False when no model of that name is loaded or loading.
    /// </summary>
    /// <param name="name">The model's name.</param>
    /// <param name="requestId">The request that asks, named in the unload's log line.</param>
    /// <param name="cancellationToken">Stops waiting for a load still running.</param>
    public async Task<bool> UnloadAsync(string name, string? requestId, CancellationToken cancellationToken)
    {
        while (_models.TryGetValue(name, out var entry))
        {
            if (entry.IsLoading)
            {
                try
                {
                    await entry.Loaded.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ModelHostException)
                {
                    // The load failed: nothing to unload, as the loop finds.
                }
            }
            else if (TryUnload(entry, requestId))
            {
                return true;
            }
            else if (!entry.IsLive)
            {
                _models.TryRemove(new KeyValuePair<string, CachedModel>(name, entry));
            }
        }

        return false;
    }

    /// <summary>Unloads a loaded model now; false when it is not loaded (a model still loading is left alone).</summary>
    public bool Unload(string name) => _models.TryGetValue(name, out var entry) && TryUnload(entry);

    /// <summary>True when the model is in memory.</summary>
    public bool IsLoaded(string name) => _models.TryGetValue(name, out var entry) && entry.IsLive;

    /// <summary>Describes a loaded model, or null.</summary>
    public LoadedModelInfo? Describe(string name) => _models.TryGetValue(name, out var entry) && entry.IsLive ? Info(entry) : null;

    /// <summary>Every loaded model, ordered by name.</summary>
    public IReadOnlyList<LoadedModelInfo> List()
    {
        var list = new List<LoadedModelInfo>(_models.Count);
        foreach (var entry in _models.Values)
        {
            if (entry.IsLive)
            {
                list.Add(Info(entry));
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    /// <summary>Cumulative counters.</summary>
    public ModelCacheCounters Counters => new(
        _resident.Hits,
        Interlocked.Read(ref _diskLoads),
        Interlocked.Read(ref _misses),
        Interlocked.Read(ref _loadCount),
        Interlocked.Read(ref _failedLoads),
        Interlocked.Read(ref _evictions),
        Interlocked.Read(ref _unloads),
        Interlocked.Read(ref _leases),
        _budget.Accounted,
        LoadedCount());

    /// <summary>Unloads every model; loads still running are unloaded as they finish.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var entry in _models.Values)
        {
            TryUnload(entry);
        }

        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    /// <summary>Ends a lease (from <see cref="LeaseToken.End"/>, once per lease).</summary>
    internal void Release(CachedModel entry, LeaseToken token)
    {
        _leaseTokens.Return(token);
        Interlocked.Decrement(ref _leases);
        ReleaseReference(entry);
    }

    private void ReleaseReference(CachedModel entry)
    {
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

        _budget.Signal();
    }

    private async ValueTask<ModelLease> AcquireColdAsync(string name, string? requestId, CancellationToken cancellationToken)
    {
        var waitStarted = _time.GetTimestamp();
        while (true)
        {
            // A load this call starts is joined before it starts: its outcome is this call's even if it ends at once.
            var entry = GetOrStartLoad(name, name, pinned: false, requestId, join: true, out var joined);
            if (joined || entry.TryJoin())
            {
                CacheOutcome outcome;
                try
                {
                    outcome = await entry.Loaded.WaitAsync(_options.LoadWaitTimeout, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException)
                {
                    if (entry.Leave())
                    {
                        ReleaseReference(entry);
                    }

                    if (e is TimeoutException)
                    {
                        throw new ModelHostException(FailureKind.ModelNotReady,
                            $"Model '{name}' is still loading after {_options.LoadWaitTimeout.TotalSeconds:0.###} s; the load goes on, retry shortly.");
                    }

                    throw;
                }

                _metrics.ModelLoadingWaitTime.Record(_time.GetElapsedTime(waitStarted).TotalSeconds);
                return Lease(entry, outcome);
            }

            if (TryLease(entry, CacheOutcome.Hit) is { } lease)
            {
                return lease;
            }

            if (entry.Loaded.IsFaulted)
            {
                // The load ended in failure before this request could join it (a failure found at once, such as a missing artifact).
                await entry.Loaded.ConfigureAwait(false);
            }

            // Gone since it was looked up (evicted or unloaded): load again.
            _models.TryRemove(new KeyValuePair<string, CachedModel>(name, entry));
        }
    }

    /// <summary>
    /// The entry of <paramref name="name"/>: the one loaded or loading, else a new one whose load this
    /// call starts (<paramref name="started"/>), joined first when <paramref name="join"/> is set.
    /// </summary>
    private CachedModel GetOrStartLoad(string name, string key, bool pinned, string? requestId, bool join, out bool started)
    {
        while (true)
        {
            if (_models.TryGetValue(name, out var existing))
            {
                if (existing.IsLoading || existing.IsLive)
                {
                    started = false;
                    return existing;
                }

                _models.TryRemove(new KeyValuePair<string, CachedModel>(name, existing));
                continue;
            }

            var entry = new CachedModel(name, key, pinned, StatisticsOf(name));
            if (_models.TryAdd(name, entry))
            {
                started = true;
                if (join)
                {
                    entry.TryJoin();
                }

                _ = RunLoadAsync(entry, requestId);
                return entry;
            }
        }
    }

    private ModelLease? TryLease(CachedModel entry, CacheOutcome outcome) => entry.TryAddReference() ? Lease(entry, outcome) : null;

    /// <summary>Turns a reference the caller holds on <paramref name="entry"/> into a lease.</summary>
    private ModelLease Lease(CachedModel entry, CacheOutcome outcome)
    {
        if (outcome == CacheOutcome.Hit)
        {
            _resident.Hit(entry);
        }
        else
        {
            _resident.Use(entry);
        }

        _metrics.CacheLookups.Add(1, CacheTags.For(outcome));
        _accessLog?.Record(new AccessRecord(_time.GetUtcNow(), entry.Name, entry.Bytes, outcome, outcome == CacheOutcome.Hit ? 0 : entry.LoadTime.TotalSeconds));
        Interlocked.Increment(ref _leases);
        var token = _leaseTokens.Get();
        return new ModelLease(token, token.Begin(entry), outcome);
    }

    /// <summary>Takes a loaded model out of the name map; it is disposed now if idle, else when its last lease ends.</summary>
    private bool TryUnload(CachedModel entry, string? requestId = null)
    {
        if (!entry.IsLive || !_models.TryRemove(new KeyValuePair<string, CachedModel>(entry.Name, entry)))
        {
            return false;
        }

        entry.Retire();
        lock (_budget.Sync)
        {
            // Out of the policy's choices now; its bytes stay accounted until its last request ends.
            _resident.Remove(entry);
        }

        Evicted(entry, "unload", requestId);
        if (entry.TryBeginEviction())
        {
            Dispose(entry);
        }

        return true;
    }

    private int LoadedCount()
    {
        var count = 0;
        foreach (var entry in _models.Values)
        {
            if (entry.IsLive)
            {
                count++;
            }
        }

        return count;
    }

    private ModelStatistics StatisticsOf(string name) => _statistics.GetOrAdd(name, static _ => new ModelStatistics());

    private static LoadedModelInfo Info(CachedModel entry)
    {
        var statistics = entry.Statistics;
        return new LoadedModelInfo(entry.Name, entry.Key, entry.Version.Tag, entry.Bytes, statistics.Hits, statistics.Misses,
            statistics.Loads, statistics.Evictions, Math.Max(0, entry.References), entry.LoadedAt, entry.LoadTime.TotalSeconds, entry.IsPinned);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model} pinned: {Pinned}")]
    private partial void LogPinned(string model, bool pinned);

    private sealed class LeaseTokenPolicy(ModelCache cache) : PooledObjectPolicy<LeaseToken>
    {
        public override LeaseToken Create() => new(cache);

        public override bool Return(LeaseToken token) => true;
    }
}
