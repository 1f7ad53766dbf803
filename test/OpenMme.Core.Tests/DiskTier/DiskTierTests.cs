using Microsoft.Extensions.Logging.Abstractions;
using OpenMme.Samples;
using OpenMme.Store;
using OpenMme.TestSupport;

namespace OpenMme.DiskTier;

public sealed class DiskTierTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly LocalFolderStore _store;

    public DiskTierTests()
    {
        Directory.CreateDirectory(_root.Combine("models"));
        _store = new LocalFolderStore(_root.Combine("models"));
    }

    private string Cache => _root.Combine("cache");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Stages_a_bare_model_and_an_archive_into_complete_folders()
    {
        var sample = SampleModelFactory.Create(0, 10_000);
        await File.WriteAllBytesAsync(_root.Combine("models", "a.onnx"), sample.Onnx);
        await File.WriteAllBytesAsync(_root.Combine("models", "b.tar.gz"), SampleWriter.Archive(sample.Onnx));
        var disk = Open();

        using var bare = await disk.AcquireAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None);
        using var archived = await disk.AcquireAsync(_store, (await Stat("b.tar.gz"))!, CancellationToken.None);

        Assert.Equal(sample.Onnx, await File.ReadAllBytesAsync(bare.Artifact.ModelPath));
        Assert.Equal(sample.Onnx, await File.ReadAllBytesAsync(archived.Artifact.ModelPath));
        Assert.True(File.Exists(Path.Combine(bare.Artifact.Directory, "artifact.json")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "staging")));
        Assert.Equal(2, disk.Stagings);
        Assert.Equal(2, disk.Handles);
        Assert.Equal(FolderBytes(Path.Combine(Cache, "artifacts")), disk.UsedBytes);
        Assert.InRange(disk.UsedBytes, 2L * sample.Onnx.Length, (2L * sample.Onnx.Length) + 1024);
    }

    [Fact]
    public async Task A_restarted_tier_serves_what_it_staged_without_downloading()
    {
        await File.WriteAllBytesAsync(_root.Combine("models", "a.onnx"), SampleModelFactory.Create(0, 10_000).Onnx);
        var artifact = (await Stat("a.onnx"))!;
        (await Open().AcquireAsync(_store, artifact, CancellationToken.None)).Dispose();

        var restarted = Open();

        using var staged = restarted.TryAcquire(artifact);
        Assert.NotNull(staged);
        Assert.True(File.Exists(staged.Artifact.ModelPath));
        Assert.Equal(0, restarted.Stagings);
    }

    [Fact]
    public async Task Start_up_removes_unfinished_stagings_and_artifacts_without_a_record()
    {
        Directory.CreateDirectory(Path.Combine(Cache, "staging", "half"));
        await File.WriteAllTextAsync(Path.Combine(Cache, "staging", "half", "model.onnx"), "partial");
        Directory.CreateDirectory(Path.Combine(Cache, "artifacts", "0123456789abcdef0123456789abcdef", "content"));

        var disk = Open();

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "staging")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "artifacts")));
        Assert.Equal(0, disk.Count);
    }

    [Fact]
    public async Task A_new_version_is_staged_again_and_replaces_the_old_one()
    {
        var path = _root.Combine("models", "a.onnx");
        await File.WriteAllBytesAsync(path, SampleModelFactory.Create(0, 10_000).Onnx);
        var disk = Open();
        StagedArtifact first;
        using (var handle = await disk.AcquireAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None))
        {
            first = handle.Artifact;
        }

        await File.WriteAllBytesAsync(path, SampleModelFactory.Create(0, 12_000).Onnx);
        using var second = await disk.AcquireAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None);

        Assert.NotEqual(first.Version, second.Artifact.Version);
        Assert.False(Directory.Exists(first.Directory));
        Assert.Equal(1, disk.Count);
        Assert.Equal(2, disk.Stagings);
    }

    [Fact]
    public async Task While_a_version_is_held_its_key_serves_that_version_and_the_newer_one_follows_its_release()
    {
        var path = _root.Combine("models", "a.onnx");
        await File.WriteAllBytesAsync(path, SampleModelFactory.Create(0, 10_000).Onnx);
        var disk = Open();
        var held = await disk.AcquireAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None);
        var old = held.Artifact;
        await File.WriteAllBytesAsync(path, SampleModelFactory.Create(0, 12_000).Onnx);
        var newer = (await Stat("a.onnx"))!;

        using (var alias = await disk.AcquireAsync(_store, newer, CancellationToken.None))
        {
            Assert.Equal(old.Version, alias.Artifact.Version);
            Assert.Equal(1, disk.Stagings);
        }

        held.Dispose();
        using var next = await disk.AcquireAsync(_store, newer, CancellationToken.None);

        Assert.Equal(newer.Version, next.Artifact.Version);
        Assert.Equal(2, disk.Stagings);
        Assert.False(Directory.Exists(old.Directory));
        Assert.Equal(1, disk.Count);
    }

    [Fact]
    public async Task A_hostile_archive_leaves_nothing_behind()
    {
        await File.WriteAllBytesAsync(_root.Combine("models", "evil.tar.gz"), new TestArchive().File("../../escape", [1]).Build());
        var disk = Open();
        var artifact = (await Stat("evil.tar.gz"))!;

        await Assert.ThrowsAsync<Runtime.ModelLoadException>(() => disk.AcquireAsync(_store, artifact, CancellationToken.None));

        Assert.Equal(0, disk.Count);
        Assert.Equal(0, disk.ReservedBytes);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "staging")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "artifacts")));
        Assert.False(File.Exists(_root.Combine("escape")));
    }

    [Fact]
    public async Task Over_budget_the_least_recently_used_artifact_nobody_holds_is_deleted()
    {
        var bytes = await WriteModelsAsync("a.onnx", "b.onnx", "c.onnx");
        var disk = Open(budget: (2 * bytes) + 1000);

        using var held = await disk.AcquireAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None);
        (await disk.AcquireAsync(_store, (await Stat("b.onnx"))!, CancellationToken.None)).Dispose();
        (await disk.AcquireAsync(_store, (await Stat("c.onnx"))!, CancellationToken.None)).Dispose();

        Assert.True(await IsCachedAsync(disk, "a.onnx"));
        Assert.False(await IsCachedAsync(disk, "b.onnx"));
        Assert.True(await IsCachedAsync(disk, "c.onnx"));
        Assert.InRange(disk.UsedBytes, 0, (2 * bytes) + 1000);
        Assert.Equal(disk.UsedBytes, FolderBytes(Path.Combine(Cache, "artifacts")));
    }

    [Fact]
    public async Task A_held_artifact_outlives_remove_and_the_budget_and_leaves_when_released_over_budget()
    {
        var bytes = await WriteModelsAsync("a.onnx", "b.onnx");
        var disk = Open(budget: bytes + 1000);
        var a = await disk.AcquireAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None);
        using var b = await disk.AcquireAsync(_store, (await Stat("b.onnx"))!, CancellationToken.None);

        disk.Remove("a.onnx");
        Assert.True(File.Exists(a.Artifact.ModelPath));
        Assert.True(disk.UsedBytes > bytes + 1000);

        a.Dispose();
        a.Dispose();

        Assert.False(Directory.Exists(a.Artifact.Directory));
        Assert.True(File.Exists(b.Artifact.ModelPath));
        Assert.Equal(1, disk.Handles);
        Assert.InRange(disk.UsedBytes, 0, bytes + 1000);
    }

    [Fact]
    public async Task A_staging_that_cannot_create_its_folder_leaks_no_reservation()
    {
        await WriteModelsAsync("a.onnx");
        var disk = Open(budget: 1 << 20);
        var staging = Path.Combine(Cache, "staging");
        Directory.Delete(staging, recursive: true);
        await File.WriteAllTextAsync(staging, "a file where the staging folder belongs");

        var artifact = (await Stat("a.onnx"))!;

        await Assert.ThrowsAnyAsync<IOException>(() => disk.AcquireAsync(_store, artifact, CancellationToken.None));

        Assert.Equal(0, disk.ReservedBytes);
        Assert.Equal(0, disk.UsedBytes);
        Assert.Equal(0, disk.Count);
    }

    [Fact]
    public async Task A_download_that_stops_mid_body_is_abandoned_at_its_timeout_and_cleaned_up()
    {
        var bytes = await WriteModelsAsync("a.onnx");
        var stalling = new StallingStore(_store, bytes / 2, _ => true);
        var disk = Open(budget: 1 << 20, downloadTimeout: TimeSpan.FromSeconds(1));
        var artifact = (await Stat("a.onnx"))!;

        var error = await Assert.ThrowsAsync<Failures.ModelHostException>(() => disk.AcquireAsync(stalling, artifact, CancellationToken.None));

        Assert.Equal(Failures.FailureKind.StoreUnavailable, error.Kind);
        Assert.Contains("(key: a.onnx) did not finish within 1 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, stalling.Stalled);
        Assert.Equal(0, disk.ReservedBytes);
        Assert.Equal(0, disk.Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "staging")));

        // Nothing of the abandoned download stands in the way of the next one.
        using var staged = await disk.AcquireAsync(_store, artifact, CancellationToken.None);
        Assert.Equal(bytes, new FileInfo(staged.Artifact.ModelPath).Length);
    }

    private DiskTier Open(long budget = 0, TimeSpan? downloadTimeout = null) =>
        new(new DiskTierOptions(Cache, budget, ArchiveLimits.Default) { DownloadTimeout = downloadTimeout ?? TimeSpan.FromMinutes(5) },
            TimeProvider.System, NullLogger<DiskTier>.Instance);

    /// <summary>Writes the same sample under each key; returns its size.</summary>
    private async Task<int> WriteModelsAsync(params string[] keys)
    {
        var bytes = SampleModelFactory.Create(0, 10_000).Onnx;
        foreach (var key in keys)
        {
            await File.WriteAllBytesAsync(_root.Combine("models", key), bytes);
        }

        return bytes.Length;
    }

    private async Task<bool> IsCachedAsync(DiskTier disk, string key)
    {
        using var handle = disk.TryAcquire((await Stat(key))!);
        return handle is not null;
    }

    private static long FolderBytes(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private Task<ArtifactInfo?> Stat(string key) => _store.StatAsync(key, CancellationToken.None).AsTask();
}
