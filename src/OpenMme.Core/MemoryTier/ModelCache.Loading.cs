using Microsoft.Extensions.Logging;
using OpenMme.Failures;
using OpenMme.Runtime;
using OpenMme.Store;

namespace OpenMme.MemoryTier;

/// <summary>Cold loads: stat, failure memory, staging, memory reservation, session creation, footprint; bounded in time as a whole.</summary>
public sealed partial class ModelCache
{
    /// <summary>From this size on, a model's footprint is its measured resident-memory growth rather than the estimate.</summary>
    public const long MeasuredFootprintThreshold = 8L << 20;

    private readonly SemaphoreSlim _loadSlots;
    private long _diskLoads;
    private long _misses;
    private long _loadCount;
    private long _failedLoads;

    /// <summary>Runs the load of a new entry to its end: published, or failed and out of the name map.</summary>
    private async Task RunLoadAsync(CachedModel entry, string? requestId)
    {
        try
        {
            await LoadEntryAsync(entry, requestId).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _models.TryRemove(new KeyValuePair<string, CachedModel>(entry.Name, entry));
            entry.Fail(e);
            return;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            TryUnload(entry);
        }
    }

    private async Task LoadEntryAsync(CachedModel entry, string? requestId)
    {
        var name = entry.Name;
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(_options.LoadTimeout, _time);
        var phase = LoadPhase.Stat;
        ArtifactInfo? artifact = null;
        try
        {
            ModelKey.Validate(entry.Key);
            artifact = await StatAsync(entry.Key, timeout.Token).ConfigureAwait(false);
            _failures.ThrowIfRemembered(name, artifact.Version);
            phase = LoadPhase.Queued;
            await _loadSlots.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                phase = LoadPhase.Reserving;
                await LoadWithSlotAsync(entry, artifact, requestId, started, timeout.Token, p => phase = p).ConfigureAwait(false);
            }
            finally
            {
                _loadSlots.Release();
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw Failed(name, artifact, requestId, new ModelHostException(phase is LoadPhase.Stat or LoadPhase.Downloading ? FailureKind.StoreUnavailable : FailureKind.ModelFailed,
                $"Model '{name}' did not load within {_options.LoadTimeout.TotalSeconds:0.###} s (it was {Describe(phase)}); the load was abandoned."));
        }
        catch (ModelLoadException e)
        {
            throw Failed(name, artifact, requestId, new ModelHostException(FailureKind.ModelFailed, $"Model '{name}' could not be loaded: {e.Message}.", e));
        }
        catch (ModelHostException e)
        {
            throw Failed(name, artifact, requestId, e);
        }
    }

    private async Task LoadWithSlotAsync(CachedModel entry, ArtifactInfo artifact, string? requestId, long started, CancellationToken cancellationToken,
        Action<LoadPhase> progress)
    {
        var name = entry.Name;
        long reserved = 0;

        // Memory is reserved before staging, from the stored size, so that evicting idle models
        // first releases their artifacts, which the disk tier may then delete to make room.
        var handle = _disk.TryAcquire(artifact);
        try
        {
            var outcome = handle is null ? CacheOutcome.Miss : CacheOutcome.Disk;
            var estimate = ModelFootprint.Estimate(handle?.Artifact.ContentBytes ?? artifact.Size);
            CheckFits(name, estimate);
            await ReserveAsync(name, requestId, estimate, cancellationToken).ConfigureAwait(false);
            reserved = estimate;
            if (handle is null)
            {
                progress(LoadPhase.Downloading);
                var downloading = _time.GetTimestamp();
                handle = await _disk.AcquireAsync(_store, artifact, cancellationToken).ConfigureAwait(false);
                _metrics.ModelDownloadingTime.Record(_time.GetElapsedTime(downloading).TotalSeconds);
                progress(LoadPhase.Reserving);
                reserved = await ResizeReservationAsync(name, requestId, reserved, ModelFootprint.Estimate(handle.Artifact.ContentBytes), cancellationToken)
                    .ConfigureAwait(false);
            }

            // Large models: account what the process really grew by (never less than the weights),
            // measured with the buffers freed before and during session creation handed back.
            var staged = handle.Artifact;
            var measure = staged.ContentBytes >= MeasuredFootprintThreshold;
            var residentBefore = 0L;
            if (measure)
            {
                NativeMemory.Trim();
                residentBefore = ProcessMemory.ResidentBytes();
            }

            progress(LoadPhase.Creating);
            var loading = _time.GetTimestamp();
            var model = await CreateSessionAsync(staged.ModelPath, cancellationToken).ConfigureAwait(false);
            _metrics.ModelLoadingTime.Record(_time.GetElapsedTime(loading).TotalSeconds);
            if (measure)
            {
                NativeMemory.Trim();
                var measured = Math.Max(ProcessMemory.ResidentBytes() - residentBefore, staged.ContentBytes);
                reserved = AdjustLoaded(reserved, entry.Statistics.Footprint(staged.Version.Tag, measured));
            }

            var took = _time.GetElapsedTime(started);
            entry.Publish(model, handle, reserved, _time.GetUtcNow(), took, Interlocked.Increment(ref _clock), _policy.Inflation, outcome);
            handle = null;
            reserved = 0;
            entry.Statistics.Miss();
            entry.Statistics.Loaded(entry.LoadedAt, took);
            Interlocked.Increment(ref _loadCount);
            Interlocked.Increment(ref outcome == CacheOutcome.Disk ? ref _diskLoads : ref _misses);
            LogLoaded(name, entry.Key, staged.Version.Tag, outcome, entry.Bytes, took.TotalMilliseconds, requestId ?? NoRequest);
            if (entry.IsPinned)
            {
                LogPinned(name, pinned: true);
            }
        }
        finally
        {
            if (reserved > 0)
            {
                _budget.Release(reserved);
            }

            handle?.Dispose();
        }
    }

    private async Task<ILoadedModel> CreateSessionAsync(string modelPath, CancellationToken cancellationToken)
    {
        var loading = _runtime.LoadAsync(modelPath, CancellationToken.None).AsTask();
        try
        {
            return await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Session creation cannot be interrupted; whatever it produces later is released.
            _ = loading.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
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

        // Another name loading or holding the same artifact keeps it: the disk tier deletes only what nobody holds.
        _disk.Remove(entry.Artifact.Key);
    }

    private void CheckFits(string name, long estimate)
    {
        if (estimate > _options.BudgetBytes)
        {
            throw new ModelHostException(FailureKind.InsufficientMemory,
                $"Model '{name}' needs about {estimate} bytes of memory, more than the whole memory budget of {_options.BudgetBytes} bytes.");
        }
    }

    private ModelHostException Failed(string name, ArtifactInfo? artifact, string? requestId, ModelHostException failure)
    {
        Interlocked.Increment(ref _failedLoads);
        if (failure.Kind == FailureKind.ModelFailed && artifact is not null)
        {
            _failures.Remember(name, artifact.Version, failure);
        }

        LogLoadFailed(name, failure.Message, requestId ?? NoRequest);
        return failure;
    }

    private async Task<ArtifactInfo> StatAsync(string key, CancellationToken cancellationToken)
    {
        ArtifactInfo? artifact;
        try
        {
            artifact = await _store.StatAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ModelHostException(FailureKind.StoreUnavailable, $"The model store could not be read for {_store.Describe(key)}: {e.Message}", e);
        }

        return artifact ?? throw new ModelHostException(FailureKind.ArtifactNotFound,
            $"Failed to download model data {_store.Describe(key)}: no such artifact. Upload the model there, or check the target model name.");
    }

    private static string Describe(LoadPhase phase) => phase switch
    {
        LoadPhase.Stat => "reading the artifact's metadata from the store",
        LoadPhase.Queued => "waiting for a load slot",
        LoadPhase.Reserving => "waiting for memory",
        LoadPhase.Downloading => "downloading",
        _ => "creating the session",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} from {Key} version {Version} ({Source}, {Bytes} bytes, {Milliseconds:F1} ms, request {RequestId})")]
    private partial void LogLoaded(string model, string key, string version, CacheOutcome source, long bytes, double milliseconds, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Load of {Model} failed (request {RequestId}): {Reason}")]
    private partial void LogLoadFailed(string model, string reason, string requestId);

    private enum LoadPhase
    {
        Stat,
        Queued,
        Reserving,
        Downloading,
        Creating,
    }
}
