using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpenMme.Concurrency;
using OpenMme.Failures;
using OpenMme.Runtime;
using OpenMme.Store;

namespace OpenMme.MemoryTier;

/// <summary>
/// The memory tier: loaded models under a byte budget. A hit takes a lease without locks; a miss
/// joins the one load running for that model (single flight), bounded by a load-concurrency
/// limit. Making room evicts the least recently used idle model; models with leases are never
/// evicted, and a load waits for one to become idle rather than overrun the budget.
/// </summary>
public sealed partial class ModelCache : IDisposable
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(50);

    private readonly ModelCacheOptions _options;
    private readonly IModelStore _store;
    private readonly DiskTier.DiskTier _disk;
    private readonly IModelRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, CachedModel> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _registrations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FailedLoad> _failures = new(StringComparer.Ordinal);
    private readonly SingleFlight<string, LoadResult> _loads = new();
    private readonly SemaphoreSlim _loadSlots;
    private readonly Lock _budgetLock = new();
    private TaskCompletionSource _idleSignal = NewSignal();
    private int _capacityWaiters;
    private long _accountedBytes;
    private long _clock;
    private long _hits;
    private long _diskLoads;
    private long _misses;
    private long _loadCount;
    private long _failedLoads;
    private long _evictions;
    private long _unloads;
    private long _leases;

    /// <summary>Creates the memory tier over a store, its disk tier and a runtime backend.</summary>
    public ModelCache(ModelCacheOptions options, IModelStore store, DiskTier.DiskTier disk, IModelRuntime runtime, TimeProvider time, ILogger<ModelCache> logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BudgetBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxConcurrentLoads);
        _options = options;
        _store = store;
        _disk = disk;
        _runtime = runtime;
        _time = time;
        _logger = logger;
        _loadSlots = new SemaphoreSlim(options.MaxConcurrentLoads, options.MaxConcurrentLoads);
        disk.IsInUse = key => _loads.IsRunning(key) || IsLoadedKey(key);
    }

    /// <summary>The store models are loaded from.</summary>
    public IModelStore Store => _store;

    /// <summary>The memory budget in bytes.</summary>
    public long BudgetBytes => _options.BudgetBytes;

    /// <summary>Takes a lease on a model, loading it first when it is not in memory.</summary>
    public ValueTask<ModelLease> AcquireAsync(string name, CancellationToken cancellationToken)
    {
        if (_models.TryGetValue(name, out var entry) && entry.TryAddReference())
        {
            entry.RecordUse(Interlocked.Increment(ref _clock), hit: true);
            Interlocked.Increment(ref _hits);
            Interlocked.Increment(ref _leases);
            return new ValueTask<ModelLease>(new ModelLease(this, entry, CacheOutcome.Hit));
        }

        return AcquireColdAsync(name, cancellationToken);
    }

    /// <summary>Loads a model ahead of use under <paramref name="name"/> from store key <paramref name="key"/> (container <c>POST /models</c>).</summary>
    public async Task<CacheOutcome> LoadAsync(string name, string key, CancellationToken cancellationToken)
    {
        ModelKey.Validate(key);
        if (_models.ContainsKey(name))
        {
            throw new ModelHostException(FailureKind.ModelAlreadyLoaded, $"Model '{name}' is already loaded.");
        }

        _registrations[name] = key;
        var result = await _loads.RunAsync(name, this, static (n, cache) => cache.LoadColdAsync(n)).WaitAsync(cancellationToken).ConfigureAwait(false);
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
        Interlocked.Increment(ref _unloads);
        LogUnloaded(name);
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

        if (Volatile.Read(ref _capacityWaiters) > 0)
        {
            Interlocked.Exchange(ref _idleSignal, NewSignal()).TrySetResult();
        }
    }

    /// <summary>Cache-disabled mode: unload an idle model and delete its artifact, off the request path.</summary>
    private void DropAfterUse(CachedModel entry)
    {
        if (entry.IsPinned || !entry.TryBeginEviction())
        {
            return;
        }

        _models.TryRemove(new KeyValuePair<string, CachedModel>(entry.Name, entry));
        Interlocked.Increment(ref _unloads);
        Dispose(entry);
        if (!_loads.IsRunning(entry.Name))
        {
            _disk.Remove(entry.Artifact.Key);
        }
    }

    private async ValueTask<ModelLease> AcquireColdAsync(string name, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _loads.RunAsync(name, this, static (n, cache) => cache.LoadColdAsync(n))
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            if (result.Entry.TryAddReference())
            {
                var hit = result.Outcome == CacheOutcome.Hit;
                result.Entry.RecordUse(Interlocked.Increment(ref _clock), hit);
                if (hit)
                {
                    Interlocked.Increment(ref _hits);
                }

                Interlocked.Increment(ref _leases);
                return new ModelLease(this, result.Entry, result.Outcome);
            }

            // Evicted between its load and our lease (only under heavy memory pressure): load again.
            if (_models.TryGetValue(name, out var current) && current.TryAddReference())
            {
                current.RecordUse(Interlocked.Increment(ref _clock), hit: true);
                Interlocked.Increment(ref _hits);
                Interlocked.Increment(ref _leases);
                return new ModelLease(this, current, CacheOutcome.Hit);
            }
        }
    }

    private async Task<LoadResult> LoadColdAsync(string name)
    {
        if (_models.TryGetValue(name, out var loaded) && !loaded.IsRetired)
        {
            return new LoadResult(loaded, CacheOutcome.Hit);
        }

        var key = KeyOf(name);
        ModelKey.Validate(key);
        var artifact = await StatAsync(key).ConfigureAwait(false);
        if (_failures.TryGetValue(name, out var failure))
        {
            if (failure.Version == artifact.Version && _time.GetUtcNow() < failure.Until)
            {
                throw new ModelHostException(failure.Kind, failure.Message);
            }

            _failures.TryRemove(new KeyValuePair<string, FailedLoad>(name, failure));
        }

        await _loadSlots.WaitAsync().ConfigureAwait(false);
        long reserved = 0;
        try
        {
            // Memory is reserved before staging, from the stored size, so that evicting idle models
            // first lets the disk tier delete their artifacts to make room for this one.
            var onDisk = _disk.TryGet(artifact, out var staged);
            var outcome = onDisk ? CacheOutcome.Disk : CacheOutcome.Miss;
            var estimate = ModelFootprint.Estimate(onDisk ? staged.ContentBytes : artifact.Size);
            CheckFits(name, estimate);
            await ReserveAsync(name, estimate).ConfigureAwait(false);
            reserved = estimate;
            if (!onDisk)
            {
                staged = await _disk.StageAsync(_store, artifact, CancellationToken.None).ConfigureAwait(false);
                estimate = ModelFootprint.Estimate(staged.ContentBytes);
                if (estimate > reserved)
                {
                    CheckFits(name, estimate);
                    await ReserveAsync(name, estimate - reserved).ConfigureAwait(false);
                }
                else if (estimate < reserved)
                {
                    Unaccount(reserved - estimate);
                }

                reserved = estimate;
            }

            var started = _time.GetTimestamp();
            var model = await _runtime.LoadAsync(staged.ModelPath, CancellationToken.None).ConfigureAwait(false);

            var entry = new CachedModel(name, staged, model, estimate, _time.GetUtcNow(), _time.GetElapsedTime(started));
            _models[name] = entry;
            reserved = 0;
            Interlocked.Increment(ref _loadCount);
            Interlocked.Increment(ref outcome == CacheOutcome.Disk ? ref _diskLoads : ref _misses);
            LogLoaded(name, artifact.Version.Tag, outcome, estimate, entry.LoadTime.TotalMilliseconds);
            return new LoadResult(entry, outcome);
        }
        catch (ModelLoadException e)
        {
            throw RememberFailure(name, artifact, new ModelHostException(FailureKind.ModelFailed, $"Model '{name}' could not be loaded: {e.Message}.", e));
        }
        catch (ModelHostException e) when (e.Kind is FailureKind.ModelFailed or FailureKind.InsufficientMemory)
        {
            throw RememberFailure(name, artifact, e);
        }
        finally
        {
            if (reserved > 0)
            {
                Unaccount(reserved);
            }

            _loadSlots.Release();
        }
    }

    private void CheckFits(string name, long estimate)
    {
        if (estimate > _options.BudgetBytes)
        {
            throw new ModelHostException(FailureKind.InsufficientMemory,
                $"Model '{name}' needs about {estimate} bytes of memory, more than the whole memory budget of {_options.BudgetBytes} bytes.");
        }
    }

    private ModelHostException RememberFailure(string name, ArtifactInfo artifact, ModelHostException failure)
    {
        Interlocked.Increment(ref _failedLoads);
        if (failure.Kind == FailureKind.ModelFailed)
        {
            _failures[name] = new FailedLoad(artifact.Version, failure.Kind, failure.Message, _time.GetUtcNow() + _options.FailureMemory);
        }

        LogLoadFailed(name, failure.Message);
        return failure;
    }

    private async Task<ArtifactInfo> StatAsync(string key)
    {
        ArtifactInfo? artifact;
        try
        {
            artifact = await _store.StatAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ModelHostException(FailureKind.StoreUnavailable, $"The model store {_store.Source} could not be read: {e.Message}", e);
        }

        return artifact ?? throw new ModelHostException(FailureKind.ArtifactNotFound,
            $"Failed to download model data: no artifact at {_store.Describe(key)}. Upload the model there, or check the target model name.");
    }

    private async Task ReserveAsync(string name, long bytes)
    {
        var deadline = _time.GetTimestamp();
        while (true)
        {
            Task idle;
            List<CachedModel>? evicted = null;
            lock (_budgetLock)
            {
                while (_accountedBytes + bytes > _options.BudgetBytes && TryEvictIdle(out var victim))
                {
                    (evicted ??= []).Add(victim);
                }

                if (_accountedBytes + bytes <= _options.BudgetBytes)
                {
                    _accountedBytes += bytes;
                    idle = Task.CompletedTask;
                }
                else
                {
                    Interlocked.Increment(ref _capacityWaiters);
                    idle = Volatile.Read(ref _idleSignal).Task;
                }
            }

            if (evicted is not null)
            {
                foreach (var victim in evicted)
                {
                    LogEvicted(victim.Name, "memory budget: making room for " + name, victim.Bytes);
                    victim.Model.Dispose();
                }
            }

            if (idle.IsCompleted)
            {
                return;
            }

            try
            {
                var remaining = _options.CapacityWait - _time.GetElapsedTime(deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    throw new ModelHostException(FailureKind.InsufficientMemory,
                        $"Model '{name}' cannot be loaded: every loaded model is in use and the memory budget of {_options.BudgetBytes} bytes is full.");
                }

                // The poll bounds a wake-up missed between the budget check and a release.
                await idle.WaitAsync(remaining < IdlePoll ? remaining : IdlePoll).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Loop once more: the budget check above turns a timeout into a clear error.
            }
            finally
            {
                Interlocked.Decrement(ref _capacityWaiters);
            }
        }
    }

    private bool TryEvictIdle(out CachedModel victim)
    {
        while (true)
        {
            CachedModel? oldest = null;
            foreach (var entry in _models.Values)
            {
                if (entry.References == 0 && !entry.IsPinned && (oldest is null || entry.LastUse < oldest.LastUse))
                {
                    oldest = entry;
                }
            }

            if (oldest is null)
            {
                victim = null!;
                return false;
            }

            if (oldest.TryBeginEviction())
            {
                _models.TryRemove(new KeyValuePair<string, CachedModel>(oldest.Name, oldest));
                _accountedBytes -= oldest.Bytes;
                Interlocked.Increment(ref _evictions);
                victim = oldest;
                return true;
            }
        }
    }

    private void Dispose(CachedModel entry)
    {
        entry.Model.Dispose();
        Unaccount(entry.Bytes);
    }

    private void Unaccount(long bytes)
    {
        lock (_budgetLock)
        {
            _accountedBytes -= bytes;
        }

        if (Volatile.Read(ref _capacityWaiters) > 0)
        {
            Interlocked.Exchange(ref _idleSignal, NewSignal()).TrySetResult();
        }
    }

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

    private LoadedModelInfo Info(CachedModel entry) => new(
        entry.Name, entry.Artifact.Key, entry.Version.Tag, entry.Bytes, entry.Hits, Math.Max(0, entry.References),
        entry.LoadedAt, entry.LoadTime.TotalSeconds, entry.IsPinned);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} version {Version} from {Source} ({Bytes} bytes, {Milliseconds:F1} ms)")]
    private partial void LogLoaded(string model, string version, CacheOutcome source, long bytes, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted {Model} ({Reason}, {Bytes} bytes)")]
    private partial void LogEvicted(string model, string reason, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pinned {Model}: {Pinned}")]
    private partial void LogPinned(string model, bool pinned);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded {Model}")]
    private partial void LogUnloaded(string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Load of {Model} failed: {Reason}")]
    private partial void LogLoadFailed(string model, string reason);

    private sealed record LoadResult(CachedModel Entry, CacheOutcome Outcome);

    private sealed record FailedLoad(ArtifactVersion Version, FailureKind Kind, string Message, DateTimeOffset Until);
}
