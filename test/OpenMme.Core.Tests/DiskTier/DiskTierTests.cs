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

        var bare = await disk.StageAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None);
        var archived = await disk.StageAsync(_store, (await Stat("b.tar.gz"))!, CancellationToken.None);

        Assert.Equal(sample.Onnx, await File.ReadAllBytesAsync(bare.ModelPath));
        Assert.Equal(sample.Onnx, await File.ReadAllBytesAsync(archived.ModelPath));
        Assert.True(File.Exists(Path.Combine(bare.Directory, "artifact.json")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "staging")));
        Assert.Equal(2, disk.Stagings);
        Assert.Equal(FolderBytes(Path.Combine(Cache, "artifacts")), disk.UsedBytes);
        Assert.InRange(disk.UsedBytes, 2L * sample.Onnx.Length, (2L * sample.Onnx.Length) + 1024);
    }

    [Fact]
    public async Task A_restarted_tier_serves_what_it_staged_without_downloading()
    {
        await File.WriteAllBytesAsync(_root.Combine("models", "a.onnx"), SampleModelFactory.Create(0, 10_000).Onnx);
        var artifact = (await Stat("a.onnx"))!;
        await Open().StageAsync(_store, artifact, CancellationToken.None);

        var restarted = Open();

        Assert.True(restarted.TryGet(artifact, out var staged));
        Assert.True(File.Exists(staged.ModelPath));
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
        var first = await disk.StageAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None);

        await File.WriteAllBytesAsync(path, SampleModelFactory.Create(0, 12_000).Onnx);
        var second = await disk.StageAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None);

        Assert.NotEqual(first.Version, second.Version);
        Assert.False(Directory.Exists(first.Directory));
        Assert.Equal(1, disk.Count);
        Assert.Equal(2, disk.Stagings);
    }

    [Fact]
    public async Task A_hostile_archive_leaves_nothing_behind()
    {
        await File.WriteAllBytesAsync(_root.Combine("models", "evil.tar.gz"), new TestArchive().File("../../escape", [1]).Build());
        var disk = Open();
        var artifact = (await Stat("evil.tar.gz"))!;

        await Assert.ThrowsAsync<Runtime.ModelLoadException>(() => disk.StageAsync(_store, artifact, CancellationToken.None));

        Assert.Equal(0, disk.Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "staging")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Cache, "artifacts")));
        Assert.False(File.Exists(_root.Combine("escape")));
    }

    [Fact]
    public async Task Over_budget_the_least_recently_used_artifact_not_in_use_is_deleted()
    {
        var bytes = SampleModelFactory.Create(0, 10_000).Onnx;
        foreach (var name in new[] { "a.onnx", "b.onnx", "c.onnx" })
        {
            await File.WriteAllBytesAsync(_root.Combine("models", name), bytes);
        }

        var disk = Open(budget: (2 * bytes.Length) + 1000);
        disk.IsInUse = key => key == "a.onnx";
        await disk.StageAsync(_store, (await Stat("a.onnx"))!, CancellationToken.None);
        await disk.StageAsync(_store, (await Stat("b.onnx"))!, CancellationToken.None);
        await disk.StageAsync(_store, (await Stat("c.onnx"))!, CancellationToken.None);

        Assert.True(disk.TryGet((await Stat("a.onnx"))!, out _));
        Assert.False(disk.TryGet((await Stat("b.onnx"))!, out _));
        Assert.True(disk.TryGet((await Stat("c.onnx"))!, out _));
        Assert.InRange(disk.UsedBytes, 0, (2 * bytes.Length) + 1000);
        Assert.Equal(disk.UsedBytes, FolderBytes(Path.Combine(Cache, "artifacts")));
    }

    private DiskTier Open(long budget = 0) =>
        new(new DiskTierOptions(Cache, budget, ArchiveLimits.Default), TimeProvider.System, NullLogger<DiskTier>.Instance);

    private static long FolderBytes(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private Task<ArtifactInfo?> Stat(string key) => _store.StatAsync(key, CancellationToken.None).AsTask();
}
