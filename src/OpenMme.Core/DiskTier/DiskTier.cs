using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenMme.Concurrency;
using OpenMme.Failures;
using OpenMme.Store;

namespace OpenMme.DiskTier;

/// <summary>
/// The instance's local artifact cache. Artifacts are downloaded into <c>staging/</c>, unpacked,
/// completed with a record file and only then renamed into <c>artifacts/</c>, so a crash leaves
/// nothing that can be served. The folder itself is the index: it is re-read at start-up.
/// Users of an artifact hold an <see cref="ArtifactHandle"/>; an artifact with handles is never
/// deleted, and while one version of a key is held, every new user of that key gets that version.
/// </summary>
public sealed partial class DiskTier
{
    private const string RecordFileName = "artifact.json";
    private const string ContentFolderName = "content";

    /// <summary>Room reserved for the record file written beside each artifact.</summary>
    private const long RecordAllowance = 4096;

    /// <summary>Downloads of one artifact before giving up when each is deleted again before it could be claimed.</summary>
    private const int MaxStagingAttempts = 3;

    private readonly DiskTierOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _artifactsPath;
    private readonly string _stagingPath;
    private readonly ConcurrentDictionary<string, ArtifactSlot> _slots = new(StringComparer.Ordinal);
    private readonly SingleFlight<string, StagedArtifact> _flights = new();
    private readonly Lock _budgetLock = new();
    private long _usedBytes;
    private long _reservedBytes;
    private long _stagings;
    private long _stagingOrder;

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

    /// <summary>Downloads performed since start (each one a store read).</summary>
    public long Stagings => Interlocked.Read(ref _stagings);

    /// <summary>Bytes of complete artifacts on disk.</summary>
    public long UsedBytes => Interlocked.Read(ref _usedBytes);

    /// <summary>Bytes reserved by downloads in progress.</summary>
    public long ReservedBytes
    {
        get
        {
            lock (_budgetLock)
            {
                return _reservedBytes;
            }
        }
    }

    /// <summary>Number of complete artifacts on disk.</summary>
    public int Count => _slots.Count;

    /// <summary>Handles held on artifacts, over all artifacts.</summary>
    public int Handles
    {
        get
        {
            var handles = 0;
            foreach (var slot in _slots.Values)
            {
                handles += Math.Max(0, slot.References);
            }

            return handles;
        }
    }

    /// <summary>
    /// Takes a handle on a staged copy of the artifact's key without downloading: the version
    /// already in use when there is one (a key serves one version at a time), else exactly this
    /// version; null when neither is on disk.
    /// </summary>
    public ArtifactHandle? TryAcquire(ArtifactInfo artifact)
    {
        foreach (var slot in _slots.Values)
        {
            if (slot.IsHeld && slot.Artifact.Key == artifact.Key && slot.TryAddReference())
            {
                if (slot.Artifact.Version != artifact.Version)
                {
                    LogVersionInUse(artifact.Key, slot.Artifact.Version.Tag, artifact.Version.Tag);
                }

                return Claim(slot);
            }
        }

        return _slots.TryGetValue(SlotId(artifact), out var exact) && exact.TryAddReference() ? Claim(exact) : null;
    }

    /// <summary>
    /// Takes a handle on a staged copy of the artifact (see <see cref="TryAcquire"/>), downloading
    /// it first when it is not on disk; concurrent callers share one download.
    /// </summary>
    /// <param name="store">The store to download from.</param>
    /// <param name="artifact">The artifact, as the store's stat described it.</param>
    /// <param name="cancellationToken">Stops waiting; a download already running goes on for other callers, bounded by its own timeout.</param>
    public Task<ArtifactHandle> AcquireAsync(IModelStore store, ArtifactInfo artifact, CancellationToken cancellationToken) =>
        AcquireAsync(store, artifact, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// As <see cref="AcquireAsync(IModelStore, ArtifactInfo, CancellationToken)"/>, but a download this
    /// call starts waits <paramref name="startAfter"/> first; it counts as running (<see cref="IsStaging"/>) from now.
    /// </summary>
    public async Task<ArtifactHandle> AcquireAsync(IModelStore store, ArtifactInfo artifact, TimeSpan startAfter, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (TryAcquire(artifact) is { } handle)
            {
                return handle;
            }

            if (attempt > MaxStagingAttempts)
            {
                throw new ModelHostException(FailureKind.InsufficientMemory,
                    $"The disk budget of {_options.BudgetBytes} bytes cannot keep {store.Describe(artifact.Key)} while the other cached artifacts are in use.");
            }

            await _flights.RunAsync(SlotId(artifact), (Store: store, Artifact: artifact, Tier: this, StartAfter: startAfter),
                    static (id, s) => s.Tier.DownloadAsync(id, s.Store, s.Artifact, s.StartAfter))
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True while a download of exactly this artifact version is running.</summary>
    public bool IsStaging(ArtifactInfo artifact) => _flights.IsRunning(SlotId(artifact));

    /// <summary>Deletes every cached version of <paramref name="key"/> that nobody holds.</summary>
    public void Remove(string key)
    {
        foreach (var slot in _slots.Values)
        {
            if (slot.Artifact.Key == key)
            {
                DeleteNow(Detach(slot, "removed"));
            }
        }
    }

    /// <summary>A handle was released: an artifact nobody holds any more may now leave, if it was replaced or the tier is over budget.</summary>
    internal void Release(ArtifactSlot slot)
    {
        if (slot.Release() != 0)
        {
            return;
        }

        if (IsSuperseded(slot))
        {
            DeleteNow(Detach(slot, "replaced by a newer version"));
        }

        if (_options.BudgetBytes > 0 && Interlocked.Read(ref _usedBytes) > _options.BudgetBytes)
        {
            List<string>? trash;
            lock (_budgetLock)
            {
                trash = MakeRoom(0);
            }

            DeleteNow(trash);
        }
    }

    private ArtifactHandle Claim(ArtifactSlot slot)
    {
        slot.Touch(_time.GetTimestamp());
        TouchRecord(slot.Artifact.Directory);
        return new ArtifactHandle(this, slot);
    }

    /// <summary>Reserves room for an incoming download, deleting the least recently used artifacts nobody holds. Returns their folders to delete once out of the lock.</summary>
    private List<string>? Reserve(long incoming)
    {
        lock (_budgetLock)
        {
            var trash = MakeRoom(incoming);
            _reservedBytes += incoming;
            return trash;
        }
    }

    private void Unreserve(long bytes)
    {
        lock (_budgetLock)
        {
            _reservedBytes -= bytes;
        }
    }

    /// <summary>Caller holds the budget lock.</summary>
    private List<string>? MakeRoom(long incoming)
    {
        List<string>? trash = null;
        while (_options.BudgetBytes > 0 && Interlocked.Read(ref _usedBytes) + _reservedBytes + incoming > _options.BudgetBytes)
        {
            ArtifactSlot? victim = null;
            foreach (var slot in _slots.Values)
            {
                if (slot.References == 0 && (victim is null || slot.LastUse < victim.LastUse))
                {
                    victim = slot;
                }
            }

            if (victim is null)
            {
                LogOverBudget(Interlocked.Read(ref _usedBytes) + _reservedBytes + incoming, _options.BudgetBytes);
                break;
            }

            if (Detach(victim, "disk budget") is { } folder)
            {
                (trash ??= []).Add(folder);
            }
        }

        return trash;
    }

    /// <summary>True when a newer version of the slot's key has been staged since.</summary>
    private bool IsSuperseded(ArtifactSlot slot)
    {
        foreach (var other in _slots.Values)
        {
            if (other != slot && other.Artifact.Key == slot.Artifact.Key && other.StagedAt > slot.StagedAt)
            {
                return true;
            }
        }

        return false;
    }

    private void RemoveOtherVersions(ArtifactSlot keep)
    {
        foreach (var slot in _slots.Values)
        {
            if (slot != keep && slot.Artifact.Key == keep.Artifact.Key)
            {
                // A version still held stays until its last handle goes (see Release).
                DeleteNow(Detach(slot, "replaced by a newer version"));
            }
        }
    }

    private void Add(ArtifactSlot slot)
    {
        if (_slots.TryAdd(slot.Id, slot))
        {
            Interlocked.Add(ref _usedBytes, slot.Artifact.Bytes);
        }
    }

    /// <summary>
    /// Takes an artifact nobody holds out of the index and renames its folder into staging (one
    /// rename, safe under the lock and against a crash); the caller deletes the returned folder.
    /// </summary>
    private string? Detach(ArtifactSlot slot, string reason)
    {
        if (!slot.TryBeginDelete())
        {
            return null;
        }

        _slots.TryRemove(new KeyValuePair<string, ArtifactSlot>(slot.Id, slot));
        Interlocked.Add(ref _usedBytes, -slot.Artifact.Bytes);
        LogDeleted(slot.Artifact.Key, reason, slot.Artifact.Bytes);
        var trash = Path.Combine(_stagingPath, "deleted-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.Move(slot.Artifact.Directory, trash);
            return trash;
        }
        catch (IOException)
        {
            return slot.Artifact.Directory;
        }
        catch (UnauthorizedAccessException)
        {
            return slot.Artifact.Directory;
        }
    }

    private void DeleteNow(string? folder)
    {
        if (folder is not null)
        {
            TryDeleteDirectory(folder);
        }
    }

    private void DeleteNow(List<string>? folders)
    {
        if (folders is not null)
        {
            foreach (var folder in folders)
            {
                TryDeleteDirectory(folder);
            }
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
            Add(new ArtifactSlot(restored[i].Id, restored[i].Artifact, ++_stagingOrder, now - restored.Count + i));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Key}: version {InUse} is in use and keeps serving; the store's version {Stored} is picked up once no model holds the old one")]
    private partial void LogVersionInUse(string key, string inUse, string stored);
}
