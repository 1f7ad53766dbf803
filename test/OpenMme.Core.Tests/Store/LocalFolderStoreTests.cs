using OpenMme.TestSupport;

namespace OpenMme.Store;

public sealed class LocalFolderStoreTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Stat_lists_and_reads_artifacts_with_a_version_that_changes_with_the_file()
    {
        Directory.CreateDirectory(_root.Combine("nested"));
        await File.WriteAllBytesAsync(_root.Combine("nested", "m.onnx"), [1, 2, 3]);
        await File.WriteAllTextAsync(_root.Combine("m.request.json"), "{}");
        var store = new LocalFolderStore(_root.Path);

        var first = await store.StatAsync("nested/m.onnx", CancellationToken.None);
        await File.WriteAllBytesAsync(_root.Combine("nested", "m.onnx"), [1, 2, 3, 4]);
        var second = await store.StatAsync("nested/m.onnx", CancellationToken.None);
        var listed = new List<ArtifactInfo>();
        await foreach (var artifact in store.ListAsync(CancellationToken.None))
        {
            listed.Add(artifact);
        }

        Assert.Equal(3, first!.Size);
        Assert.NotEqual(first.Version, second!.Version);
        Assert.Equal("nested/m.onnx", Assert.Single(listed).Key);
        await using var stream = await store.OpenReadAsync(second, CancellationToken.None);
        Assert.Equal(4, stream.Length);
        Assert.Null(await store.StatAsync("absent.onnx", CancellationToken.None));
    }

    [Fact]
    public void Sources_are_folders_or_file_urls()
    {
        Assert.Equal(_root.Path, ((LocalFolderStore)ModelStores.Open(_root.Path)).Root);
        Assert.Equal(_root.Path, ((LocalFolderStore)ModelStores.Open(new Uri(_root.Path + "/").AbsoluteUri)).Root);
        Assert.Throws<ArgumentException>(() => ModelStores.Open("ftp://host/models/"));
    }

    [Fact]
    public async Task Keys_cannot_reach_outside_the_folder()
    {
        var store = new LocalFolderStore(_root.Combine("models"));

        await Assert.ThrowsAsync<Failures.ModelHostException>(() => store.StatAsync("../secret.onnx", CancellationToken.None).AsTask());
    }
}
