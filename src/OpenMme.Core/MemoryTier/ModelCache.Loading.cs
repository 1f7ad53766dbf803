using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpenMme.Failures;
using OpenMme.Runtime;
using OpenMme.Store;

namespace OpenMme.MemoryTier;

/// <summary>Cold loads: stat, failure memory, staging, memory reservation, session creation, footprint.</summary>
public sealed partial class ModelCache
{
    /// <summary>From this size on, a model's footprint is its measured resident-memory growth rather than the estimate.</summary>
    public const long MeasuredFootprintThreshold = 8L << 20;

    private readonly ConcurrentDictionary<string, FailedLoad> _failures = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _loadSlots;
    private long _diskLoads;
    private long _misses;
    private long _loadCount;
    private long _failedLoads;

    private async Task<LoadResult> LoadColdAsync(string name, string? requestId)
    {
        if (_models.TryGetValue(name, out var loaded) && !loaded.IsRetired)
        {
            return new LoadResult(loaded, CacheOutcome.Hit);
        }

        var started = _time.GetTimestamp();
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
            await ReserveAsync(name, requestId, estimate).ConfigureAwait(false);
            reserved = estimate;
            if (!onDisk)
            {
                var downloading = _time.GetTimestamp();
                staged = await _disk.StageAsync(_store, artifact, CancellationToken.None).ConfigureAwait(false);
                _metrics.ModelDownloadingTime.Record(_time.GetElapsedTime(downloading).TotalSeconds);
                reserved = await ResizeReservationAsync(name, requestId, reserved, ModelFootprint.Estimate(staged.ContentBytes)).ConfigureAwait(false);
            }

            // Large models: account what the process really grew by (never less than the weights),
            // measured with the buffers freed before and during session creation handed back.
            var measure = staged.ContentBytes >= MeasuredFootprintThreshold;
            var residentBefore = 0L;
            if (measure)
            {
                NativeMemory.Trim();
                residentBefore = ProcessMemory.ResidentBytes();
            }

            var loading = _time.GetTimestamp();
            var model = await LoadWithinTimeoutAsync(name, staged.ModelPath, started).ConfigureAwait(false);
            _metrics.ModelLoadingTime.Record(_time.GetElapsedTime(loading).TotalSeconds);
            var statistics = StatisticsOf(name);
            if (measure)
            {
                NativeMemory.Trim();
                var measured = Math.Max(ProcessMemory.ResidentBytes() - residentBefore, staged.ContentBytes);
                reserved = AdjustLoaded(reserved, statistics.Footprint(artifact.Version.Tag, measured));
            }

            var took = _time.GetElapsedTime(started);
            var entry = new CachedModel(name, staged, model, reserved, _time.GetUtcNow(), took, statistics);
            _models[name] = entry;
            reserved = 0;
            statistics.Miss();
            statistics.Loaded(entry.LoadedAt, took);
            Interlocked.Increment(ref _loadCount);
            Interlocked.Increment(ref outcome == CacheOutcome.Disk ? ref _diskLoads : ref _misses);
            LogLoaded(name, artifact.Version.Tag, outcome, entry.Bytes, took.TotalMilliseconds, requestId);
            return new LoadResult(entry, outcome);
        }
        catch (ModelLoadException e)
        {
            throw RememberFailure(name, artifact, requestId, new ModelHostException(FailureKind.ModelFailed, $"Model '{name}' could not be loaded: {e.Message}.", e));
        }
        catch (ModelHostException e) when (e.Kind is FailureKind.ModelFailed or FailureKind.InsufficientMemory)
        {
            throw RememberFailure(name, artifact, requestId, e);
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

    private async Task<ILoadedModel> LoadWithinTimeoutAsync(string name, string modelPath, long started)
    {
        var loading = _runtime.LoadAsync(modelPath, CancellationToken.None).AsTask();
        var remaining = _options.LoadTimeout - _time.GetElapsedTime(started);
        try
        {
            return await loading.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Session creation cannot be interrupted; whatever it produces later is released.
            _ = loading.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw new ModelHostException(FailureKind.ModelFailed, $"Model '{name}' did not load within {_options.LoadTimeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>Cache-disabled mode: unload an idle model and delete its artifact, off the request path.</summary>
    private void DropAfterUse(CachedModel entry)
    {
        if (entry.IsPinned || !entry.TryBeginEviction())
        {
            return;
        }

        if (_models.TryRemove(new KeyValuePair<string, CachedModel>(entry.Name, entry)))
        {
            Evicted(entry, "cache_disabled");
        }

        Dispose(entry);
        if (!_loads.IsRunning(entry.Name))
        {
            _disk.Remove(entry.Artifact.Key);
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

    private ModelHostException RememberFailure(string name, ArtifactInfo artifact, string? requestId, ModelHostException failure)
    {
        Interlocked.Increment(ref _failedLoads);
        if (failure.Kind == FailureKind.ModelFailed)
        {
            _failures[name] = new FailedLoad(artifact.Version, failure.Kind, failure.Message, _time.GetUtcNow() + _options.FailureMemory);
        }

        LogLoadFailed(name, failure.Message, requestId);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} version {Version} from {Source} ({Bytes} bytes, {Milliseconds:F1} ms, request {RequestId})")]
    private partial void LogLoaded(string model, string version, CacheOutcome source, long bytes, double milliseconds, string? requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Load of {Model} failed (request {RequestId}): {Reason}")]
    private partial void LogLoadFailed(string model, string reason, string? requestId);

    private sealed record FailedLoad(ArtifactVersion Version, FailureKind Kind, string Message, DateTimeOffset Until);
}
