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
    private int _backgroundWork;

    /// <summary>
    /// How long work that follows a load's publication (the copy into the disk tier, the footprint
    /// measurement) waits first: the requests that waited for the model answer before it competes
    /// with them for the cores.
    /// </summary>
    private static readonly TimeSpan AfterAnswerDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>Work still running after a load was published: copies into the disk tier, footprint measurements (tests wait for 0).</summary>
    internal int PendingBackgroundWork => Volatile.Read(ref _backgroundWork);

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
        ILoadedModel? model = null;

        // Memory is reserved before staging, from the stored size, so that evicting idle models
        // first releases their artifacts, which the disk tier may then delete to make room.
        var handle = _disk.TryAcquire(artifact);
        try
        {
            // Joining a copy into the disk tier already under way reads the store no further: a disk load.
            var outcome = handle is null && !_disk.IsStaging(artifact) ? CacheOutcome.Miss : CacheOutcome.Disk;
            var contentBytes = handle?.Artifact.ContentBytes ?? artifact.Size;
            var estimate = ModelFootprint.Estimate(contentBytes);
            CheckFits(name, estimate);
            await ReserveAsync(name, requestId, estimate, cancellationToken).ConfigureAwait(false);
            reserved = estimate;

            // Large models are accounted at what the process really grew by, settled after publication.
            var measure = contentBytes >= MeasuredFootprintThreshold;
            var residentBefore = measure ? ProcessMemory.ResidentBytes() : 0;
            var loading = _time.GetTimestamp();
            var stageAfter = false;
            if (handle is null && LocalFile(artifact) is { } file)
            {
                // A bare model in a local folder is loaded from the folder's own file, and copied into
                // the disk tier after publication: the copy costs the first request nothing.
                progress(LoadPhase.Creating);
                model = await CreateSessionAsync(file, cancellationToken).ConfigureAwait(false);
                if ((await _store.StatAsync(artifact.Key, cancellationToken).ConfigureAwait(false))?.Version == artifact.Version)
                {
                    stageAfter = _options.Setting == ModelCacheSetting.Enabled;
                }
                else
                {
                    // Rewritten while it was read: load what the disk tier stages below instead.
                    model.Dispose();
                    model = null;
                }
            }

            var version = artifact.Version;
            if (model is null)
            {
                if (handle is null)
                {
                    progress(LoadPhase.Downloading);
                    var downloading = _time.GetTimestamp();
                    handle = await _disk.AcquireAsync(_store, artifact, cancellationToken).ConfigureAwait(false);
                    if (outcome == CacheOutcome.Miss)
                    {
                        // A load that joined a download under way did not download: the one that started it records it.
                        _metrics.ModelDownloadingTime.Record(_time.GetElapsedTime(downloading).TotalSeconds);
                    }

                    progress(LoadPhase.Reserving);
                    contentBytes = handle.Artifact.ContentBytes;
                    reserved = await ResizeReservationAsync(name, requestId, reserved, ModelFootprint.Estimate(contentBytes), cancellationToken)
                        .ConfigureAwait(false);
                }

                progress(LoadPhase.Creating);
                version = handle.Artifact.Version;
                loading = _time.GetTimestamp();
                model = await CreateSessionAsync(handle.Artifact.ModelPath, cancellationToken).ConfigureAwait(false);
            }

            var creation = _time.GetElapsedTime(loading).TotalSeconds;
            _metrics.ModelLoadingTime.Record(creation);
            var took = _time.GetElapsedTime(started);
            entry.Bytes = reserved;
            entry.LoadSeconds = entry.Statistics.CheapestLoad(version.Tag, creation);
            lock (_budget.Sync)
            {
                // Admitted before it can be leased: the load is the first use of it, ahead of its waiters'.
                _resident.Admit(entry);
            }

            entry.Publish(model, handle, version, contentBytes, _time.GetUtcNow(), took, outcome);
            model = null;
            handle = null;
            reserved = 0;
            entry.Statistics.Loaded(entry.LoadedAt, took);
            Interlocked.Increment(ref _loadCount);
            Interlocked.Increment(ref outcome == CacheOutcome.Disk ? ref _diskLoads : ref _misses);
            LogLoaded(name, entry.Key, version.Tag, outcome, entry.Bytes, took.TotalMilliseconds, requestId ?? NoRequest);
            if (entry.IsPinned)
            {
                LogPinned(name, pinned: true);
            }

            if (stageAfter)
            {
                StageAfterPublication(entry, artifact);
            }

            if (measure)
            {
                Interlocked.Increment(ref _backgroundWork);
                _ = SettleFootprintAsync(entry, residentBefore);
            }
        }
        finally
        {
            model?.Dispose();
            if (reserved > 0)
            {
                _budget.Release(reserved);
            }

            handle?.Dispose();
        }
    }

    /// <summary>
    /// The local file a cold load may create its session from directly: a bare model of a local
    /// folder store, when no download of it is already running (a reload joins that download).
    /// </summary>
    private string? LocalFile(ArtifactInfo artifact) =>
        _store is LocalFolderStore local && ArtifactKinds.IsBareModel(artifact.Key) && !_disk.IsStaging(artifact) ? local.FileOf(artifact.Key) : null;

    /// <summary>Copies a model loaded from a local folder into the disk tier, and gives the model its hold on the copy.</summary>
    private void StageAfterPublication(CachedModel entry, ArtifactInfo artifact)
    {
        Interlocked.Increment(ref _backgroundWork);
        _ = StageAsync();

        async Task StageAsync()
        {
            try
            {
                // Registered as staging at once, so a reload joins this copy; the copy itself starts a moment later.
                var handle = await _disk.AcquireAsync(_store, artifact, AfterAnswerDelay, CancellationToken.None).ConfigureAwait(false);
                _metrics.ModelDownloadingTime.Record(handle.Artifact.DownloadTime.TotalSeconds);
                if (handle.Artifact.Version != entry.Version || !entry.AttachArtifact(handle))
                {
                    handle.Dispose();
                }
            }
            catch (Exception e) when (e is ModelHostException or ModelLoadException or IOException or UnauthorizedAccessException)
            {
                // The model serves from memory; its next cold load stages the artifact again.
                LogStagingFailed(entry.Name, e.Message);
            }
            finally
            {
                Interlocked.Decrement(ref _backgroundWork);
            }
        }
    }

    /// <summary>
    /// Replaces a large model's estimate with the resident-memory growth its load caused (never less
    /// than its weights), measured once the buffers freed during session creation are handed back.
    /// Runs after publication: trimming the native heap costs milliseconds a request need not wait for.
    /// </summary>
    private async Task SettleFootprintAsync(CachedModel entry, long residentBefore)
    {
        try
        {
            await Task.Delay(AfterAnswerDelay, _time).ConfigureAwait(false);
            NativeMemory.Trim();
            var measured = Math.Max(ProcessMemory.ResidentBytes() - residentBefore, entry.ContentBytes);
            Reaccount(entry, entry.Statistics.Footprint(entry.Version.Tag, measured));
        }
        finally
        {
            Interlocked.Decrement(ref _backgroundWork);
        }
    }

    private async Task<ILoadedModel> CreateSessionAsync(string modelPath, CancellationToken cancellationToken)
    {
        var loading = _runtime.LoadAsync(modelPath, CancellationToken.None).AsTask();
        ILoadedModel model;
        try
        {
            model = await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Session creation cannot be interrupted; whatever it produces later is released.
            _ = loading.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Created on this thread past the load's time: the load has failed all the same.
            model.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
        }

        return model;
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
        _disk.Remove(entry.Key);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Copying {Model} into the disk cache failed; it serves from memory and is copied at its next load: {Reason}")]
    private partial void LogStagingFailed(string model, string reason);

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
