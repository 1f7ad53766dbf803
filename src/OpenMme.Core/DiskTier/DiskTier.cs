using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenMme.Concurrency;
using OpenMme.Failures;
using OpenMme.Runtime;
using OpenMme.Store;

namespace OpenMme.DiskTier;

/// <summary>
/// The instance's local artifact cache. Artifacts are downloaded into <c>staging/</c>, unpacked,
/// completed with a record file and only then renamed into <c>artifacts/</c>, so a crash leaves
/// nothing that can be served. The folder itself is the index: it is re-read at start-up.
/// </summary>
public sealed partial class DiskTier
{
    private const string RecordFileName = "artifact.json";
    private const string ContentFolderName = "content";

    /// <summary>Room reserved for the record file written beside each artifact.</summary>
    private const long RecordAllowance = 4096;

    private readonly DiskTierOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _artifactsPath;
    private readonly string _stagingPath;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly SingleFlight<string, StagedArtifact> _flights = new();
    private readonly Lock _budgetLock = new();
    private long _usedBytes;
    private long _reservedBytes;
    private long _stagings;

    /// <summary>Opens the cache folder, removing unfinished stagings and re-reading complete artifacts.</summary>
    public DiskTier(DiskTierOptions options, TimeProvider time, ILogger<DiskTier> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _artifactsPath = Path.Combine(Path.GetFullPath(options.CacheDirectory), "artifacts");
        _stagingPath = Path.Combine(Path.GetFullPath(options.CacheDirectory), "staging");
        Directory.CreateDirectory(_artifactsPath);
        if (Directory.Exists(_stagingPath))
        {
            Directory.Delete(_stagingPath, recursive: true);
        }

        Directory.CreateDirectory(_stagingPath);
        LoadIndex();
    }

    /// <summary>Decides whether a key's artifact may be deleted to make room (false while its model is in memory).</summary>
    public Func<string, bool> IsInUse { get; set; } = static _ => false;

    /// <summary>Downloads performed since start (each one a store read).</summary>
    public long Stagings => Interlocked.Read(ref _stagings);

    /// <summary>Bytes of complete artifacts on disk.</summary>
    public long UsedBytes => Interlocked.Read(ref _usedBytes);

    /// <summary>Number of complete artifacts on disk.</summary>
    public int Count => _slots.Count;

    /// <summary>Finds the staged copy of exactly this artifact version.</summary>
    public bool TryGet(ArtifactInfo artifact, out StagedArtifact staged)
    {
        if (_slots.TryGetValue(SlotId(artifact), out var slot))
        {
            slot.Touch(_time.GetTimestamp());
            staged = slot.Artifact;
            TouchRecord(staged.Directory);
            return true;
        }

        staged = null!;
        return false;
    }

    /// <summary>Stages an artifact from the store unless this version is already on disk; concurrent callers share one download.</summary>
    public Task<StagedArtifact> StageAsync(IModelStore store, ArtifactInfo artifact, CancellationToken cancellationToken)
    {
        if (TryGet(artifact, out var staged))
        {
            return Task.FromResult(staged);
        }

        return _flights.RunAsync(SlotId(artifact), (store, artifact, this), static (id, s) => s.Item3.DownloadAsync(id, s.store, s.artifact))
            .WaitAsync(cancellationToken);
    }

    /// <summary>Deletes every cached version of <paramref name="key"/> unless it is in use or being staged.</summary>
    public void Remove(string key)
    {
        if (IsInUse(key))
        {
            return;
        }

        foreach (var (id, slot) in _slots)
        {
            if (slot.Artifact.Key == key && !_flights.IsRunning(id))
            {
                Delete(id, slot, "removed");
            }
        }
    }

    private async Task<StagedArtifact> DownloadAsync(string id, IModelStore store, ArtifactInfo artifact)
    {
        // Reserve the artifact's stored size before the first byte lands, so concurrent
        // downloads together stay inside the budget; the real size is accounted once complete.
        var reservation = artifact.Size + RecordAllowance;
        Reserve(reservation, artifact.Key);
        var staging = Path.Combine(_stagingPath, Guid.NewGuid().ToString("N"));
        var content = Path.Combine(staging, ContentFolderName);
        Directory.CreateDirectory(content);
        try
        {
            string modelPath;
            var source = await OpenAsync(store, artifact).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                using var counting = new VerifyingStream(source, artifact.Checksum);
                if (ArtifactKinds.IsArchive(artifact.Key))
                {
                    await SafeArchiveExtractor.ExtractAsync(counting, content, _options.Archive, CancellationToken.None).ConfigureAwait(false);
                    await counting.CopyToAsync(Stream.Null).ConfigureAwait(false);
                    modelPath = SafeArchiveExtractor.FindModelFile(content);
                }
                else if (ArtifactKinds.IsBareModel(artifact.Key))
                {
                    modelPath = Path.Combine(content, "model.onnx");
                    await CopyToFileAsync(counting, modelPath).ConfigureAwait(false);
                }
                else
                {
                    throw new ModelLoadException("the artifact is neither a .onnx file nor a .tar.gz/.tgz archive");
                }

                var bytesRead = counting.BytesRead;

                if (bytesRead != artifact.Size)
                {
                    throw new ModelHostException(FailureKind.StoreUnavailable,
                        $"Read {bytesRead} bytes of {store.Describe(artifact.Key)}, expected {artifact.Size}; the artifact changed or the connection broke while it was downloaded.");
                }

                if (artifact.Checksum is { } checksum && counting.Digest() is { } digest && digest != checksum.Base64Value)
                {
                    throw new ModelHostException(FailureKind.StoreUnavailable,
                        $"The {checksum.Algorithm} checksum of {store.Describe(artifact.Key)} is {digest}, the store says {checksum.Base64Value}; the download was corrupted.");
                }
            }

            var relativeModel = Path.GetRelativePath(staging, modelPath);
            var contentBytes = SizeOnDisk(content);
            var recordBytes = JsonSerializer.SerializeToUtf8Bytes(
                new ArtifactRecord(artifact.Key, artifact.Version.Tag, relativeModel, contentBytes), DiskTierJsonContext.Default.ArtifactRecord);
            await File.WriteAllBytesAsync(Path.Combine(staging, RecordFileName), recordBytes).ConfigureAwait(false);
            var bytes = contentBytes + recordBytes.Length;

            var final = Path.Combine(_artifactsPath, id);
            Directory.Move(staging, final);
            Interlocked.Increment(ref _stagings);
            var staged = new StagedArtifact(artifact.Key, artifact.Version, final, Path.Combine(final, relativeModel), bytes, contentBytes);
            Add(id, staged);
            RemoveOtherVersions(artifact.Key, id);
            LogStaged(artifact.Key, artifact.Version.Tag, bytes);
            return staged;
        }
        catch
        {
            TryDeleteDirectory(staging);
            throw;
        }
        finally
        {
            lock (_budgetLock)
            {
                _reservedBytes -= reservation;
            }

            Reserve(0, artifact.Key);
        }
    }

    private static async Task<Stream> OpenAsync(IModelStore store, ArtifactInfo artifact)
    {
        try
        {
            return await store.OpenReadAsync(artifact, CancellationToken.None).ConfigureAwait(false);
        }
        catch (FileNotFoundException e)
        {
            throw new ModelHostException(FailureKind.ArtifactNotFound, $"Failed to download model data: no artifact at {store.Describe(artifact.Key)}.", e);
        }
    }

    private static async Task CopyToFileAsync(Stream source, string path)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        await source.CopyToAsync(file, 1 << 20).ConfigureAwait(false);
    }

    private void Reserve(long incoming, string keepKey)
    {
        lock (_budgetLock)
        {
            while (_options.BudgetBytes > 0 && Interlocked.Read(ref _usedBytes) + _reservedBytes + incoming > _options.BudgetBytes)
            {
                string? victimId = null;
                Slot? victim = null;
                foreach (var (id, slot) in _slots)
                {
                    if (slot.Artifact.Key != keepKey && !IsInUse(slot.Artifact.Key) && !_flights.IsRunning(id)
                        && (victim is null || slot.LastUse < victim.LastUse))
                    {
                        victimId = id;
                        victim = slot;
                    }
                }

                if (victim is null)
                {
                    LogOverBudget(Interlocked.Read(ref _usedBytes) + _reservedBytes + incoming, _options.BudgetBytes);
                    break;
                }

                Delete(victimId!, victim, "disk budget");
            }

            _reservedBytes += incoming;
        }
    }

    private void RemoveOtherVersions(string key, string keepId)
    {
        foreach (var (id, slot) in _slots)
        {
            if (id != keepId && slot.Artifact.Key == key)
            {
                Delete(id, slot, "replaced by a newer version");
            }
        }
    }

    private void Add(string id, StagedArtifact staged)
    {
        if (_slots.TryAdd(id, new Slot(staged, _time.GetTimestamp())))
        {
            Interlocked.Add(ref _usedBytes, staged.Bytes);
        }
    }

    private void Delete(string id, Slot slot, string reason)
    {
        if (_slots.TryRemove(new KeyValuePair<string, Slot>(id, slot)))
        {
            Interlocked.Add(ref _usedBytes, -slot.Artifact.Bytes);
            TryDeleteDirectory(slot.Artifact.Directory);
            LogDeleted(slot.Artifact.Key, reason, slot.Artifact.Bytes);
        }
    }

    private void LoadIndex()
    {
        var restored = new List<(DateTime Written, string Id, StagedArtifact Artifact)>();
        foreach (var folder in Directory.EnumerateDirectories(_artifactsPath))
        {
            var id = Path.GetFileName(folder);
            var recordPath = Path.Combine(folder, RecordFileName);
            var record = ReadRecord(recordPath);
            if (record is null || SlotId(record.Key, record.Version) != id || !File.Exists(Path.Combine(folder, record.ModelPath)))
            {
                TryDeleteDirectory(folder);
                continue;
            }

            restored.Add((File.GetLastWriteTimeUtc(recordPath), id,
                new StagedArtifact(record.Key, new ArtifactVersion(record.Version), folder, Path.Combine(folder, record.ModelPath), SizeOnDisk(folder), record.Bytes)));
        }

        // Oldest first, so restored artifacts keep their relative recency below anything used after start-up.
        restored.Sort(static (a, b) => a.Written.CompareTo(b.Written));
        var now = _time.GetTimestamp();
        for (var i = 0; i < restored.Count; i++)
        {
            Add(restored[i].Id, restored[i].Artifact);
            _slots[restored[i].Id].Touch(now - restored.Count + i);
        }
    }

    /// <summary>The record's modification time orders artifacts by last use across restarts.</summary>
    private static void TouchRecord(string directory)
    {
        try
        {
            File.SetLastWriteTimeUtc(Path.Combine(directory, RecordFileName), DateTime.UtcNow);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static ArtifactRecord? ReadRecord(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), DiskTierJsonContext.Default.ArtifactRecord) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long SizeOnDisk(string folder)
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            total += file.Length;
        }

        return total;
    }

    private void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException e)
        {
            LogDeleteFailed(path, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            LogDeleteFailed(path, e.Message);
        }
    }

    private static string SlotId(ArtifactInfo artifact) => SlotId(artifact.Key, artifact.Version.Tag);

    private static string SlotId(string key, string version) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key + "\n" + version)).AsSpan(0, 16));

    [LoggerMessage(Level = LogLevel.Information, Message = "Staged {Key} version {Version} ({Bytes} bytes)")]
    private partial void LogStaged(string key, string version, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted cached artifact {Key} ({Reason}, {Bytes} bytes)")]
    private partial void LogDeleted(string key, string reason, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disk tier over budget: {Bytes} bytes needed, budget {Budget}; every cached artifact is in use")]
    private partial void LogOverBudget(long bytes, long budget);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete {Path}: {Reason}")]
    private partial void LogDeleteFailed(string path, string reason);

    private sealed class Slot(StagedArtifact artifact, long lastUse)
    {
        private long _lastUse = lastUse;

        public StagedArtifact Artifact { get; } = artifact;

        public long LastUse => Volatile.Read(ref _lastUse);

        public void Touch(long timestamp) => Volatile.Write(ref _lastUse, timestamp);
    }
}
