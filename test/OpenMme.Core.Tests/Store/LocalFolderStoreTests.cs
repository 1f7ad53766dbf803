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

    [Fact]
    public async Task A_symbolic_link_is_followed_to_its_file_and_a_dangling_one_is_absent()
    {
        Directory.CreateDirectory(_root.Combine("models"));
        Directory.CreateDirectory(_root.Combine("elsewhere"));
        var bytes = new byte[57];
        new Random(1).NextBytes(bytes);
        await File.WriteAllBytesAsync(_root.Combine("elsewhere", "real.onnx"), bytes);
        File.CreateSymbolicLink(_root.Combine("models", "linked.onnx"), _root.Combine("elsewhere", "real.onnx"));
        File.CreateSymbolicLink(_root.Combine("models", "dangling.onnx"), _root.Combine("elsewhere", "missing.onnx"));
        var store = new LocalFolderStore(_root.Combine("models"));

        var linked = await store.StatAsync("linked.onnx", CancellationToken.None);
        var listed = new List<ArtifactInfo>();
        await foreach (var artifact in store.ListAsync(CancellationToken.None))
        {
            listed.Add(artifact);
        }

        Assert.Equal(bytes.Length, linked!.Size);
        Assert.Null(await store.StatAsync("dangling.onnx", CancellationToken.None));
        Assert.Equal(linked, Assert.Single(listed));
        await using var stream = await store.OpenReadAsync(linked, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task A_file_rewritten_while_it_is_read_fails_the_read_at_its_end()
    {
        var path = _root.Combine("m.onnx");
        await File.WriteAllBytesAsync(path, new byte[100_000]);
        var store = new LocalFolderStore(_root.Path);
        var stat = await store.StatAsync("m.onnx", CancellationToken.None);
        await using var stream = await store.OpenReadAsync(stat!, CancellationToken.None);
        var buffer = new byte[10_000];
        await stream.ReadExactlyAsync(buffer);

        // Same size, new bytes, new modification time: the read so far mixes two versions.
        await File.WriteAllBytesAsync(path, Enumerable.Repeat((byte)7, 100_000).ToArray());
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(1));

        var error = await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(Stream.Null));
        Assert.Contains("changed while it was read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Descriptions_name_the_key_never_the_folder()
    {
        var store = new LocalFolderStore(_root.Path);

        Assert.Equal("(key: team/m.onnx)", store.Describe("team/m.onnx"));
    }
}
