using System.Formats.Tar;
using OpenMme.Runtime;
using OpenMme.TestSupport;

namespace OpenMme.DiskTier;

public sealed class SafeArchiveExtractorTests : IDisposable
{
    private static readonly byte[] Model = [1, 2, 3, 4];
    private readonly TempDirectory _root = new();

    private string Destination => _root.Combine("model");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Unpacks_files_folders_and_links_that_stay_inside()
    {
        var archive = new TestArchive()
            .Directory("weights")
            .File("weights/model.onnx", Model)
            .File("openmme.json", "{}"u8.ToArray())
            .SymbolicLink("current", "weights")
            .HardLink("copy.onnx", "weights/model.onnx")
            .Build();

        await Extract(archive);

        Assert.Equal(Model, await File.ReadAllBytesAsync(Path.Combine(Destination, "weights", "model.onnx")));
        Assert.Equal(Model, await File.ReadAllBytesAsync(Path.Combine(Destination, "current", "model.onnx")));
        Assert.Equal(Model, await File.ReadAllBytesAsync(Path.Combine(Destination, "copy.onnx")));
        Assert.Equal(Path.Combine(Destination, "weights", "model.onnx"), SafeArchiveExtractor.FindModelFile(Destination));
    }

    [Theory]
    [InlineData("../x", "contains '..'")]
    [InlineData("a/../../x", "contains '..'")]
    [InlineData("/etc/evil", "absolute path")]
    public async Task Rejects_entries_that_leave_the_folder(string name, string reason)
    {
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => Extract(new TestArchive().File(name, Model).Build()));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        AssertNothingOutside();
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("../..")]
    [InlineData("a/../../outside")]
    public async Task Rejects_symbolic_links_out_of_the_folder(string target)
    {
        var archive = new TestArchive().SymbolicLink("escape", target).File("escape/model.onnx", Model).Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => Extract(archive));

        Assert.Contains("outside the model folder", error.Message, StringComparison.Ordinal);
        AssertNothingOutside();
    }

    [Fact]
    public async Task Rejects_hard_links_to_files_outside()
    {
        var outside = _root.Combine("secret");
        await File.WriteAllTextAsync(outside, "secret");

        await Assert.ThrowsAsync<ModelLoadException>(() => Extract(new TestArchive().HardLink("model.onnx", "../secret").Build()));
        await Assert.ThrowsAsync<ModelLoadException>(() => Extract(new TestArchive().HardLink("model.onnx", outside).Build()));
    }

    [Fact]
    public async Task Rejects_devices_and_fifos()
    {
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => Extract(new TestArchive().Entry(TarEntryType.Fifo, "pipe").Build()));

        Assert.Contains("Fifo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stops_at_the_unpacked_byte_cap()
    {
        var archive = new TestArchive().File("a.bin", new byte[600]).File("model.onnx", new byte[600]).Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => Extract(archive, new ArchiveLimits(1000, 100)));

        Assert.Contains("more than 1000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stops_at_the_entry_cap()
    {
        var archive = new TestArchive();
        for (var i = 0; i < 11; i++)
        {
            archive.File($"f{i}", Model);
        }

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => Extract(archive.Build(), new ArchiveLimits(1 << 20, 10)));

        Assert.Contains("more than 10 entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_bytes_that_are_not_a_gzip_archive()
    {
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => Extract([1, 2, 3, 4, 5, 6, 7, 8]));

        Assert.Contains("not a valid .tar.gz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archive_without_a_model_is_an_error()
    {
        await Extract(new TestArchive().File("readme.txt", Model).Build());

        var error = Assert.Throws<ModelLoadException>(() => SafeArchiveExtractor.FindModelFile(Destination));
        Assert.Contains("no model.onnx", error.Message, StringComparison.Ordinal);
    }

    private async Task Extract(byte[] archive, ArchiveLimits? limits = null)
    {
        using var stream = new MemoryStream(archive);
        await SafeArchiveExtractor.ExtractAsync(stream, Destination, limits ?? ArchiveLimits.Default, CancellationToken.None);
    }

    private void AssertNothingOutside()
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(_root.Path))
        {
            Assert.Equal(Destination, entry);
        }
    }
}
