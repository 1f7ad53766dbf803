using System.Formats.Tar;
using System.IO.Compression;

namespace OpenMme.TestSupport;

/// <summary>Builds .tar.gz archives, hostile ones included, entry by entry.</summary>
public sealed class TestArchive
{
    private readonly List<PaxTarEntry> _entries = [];

    public TestArchive File(string name, byte[] data)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        return this;
    }

    public TestArchive Directory(string name)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.Directory, name));
        return this;
    }

    public TestArchive SymbolicLink(string name, string target)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });
        return this;
    }

    public TestArchive HardLink(string name, string target)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });
        return this;
    }

    public TestArchive Entry(TarEntryType type, string name)
    {
        _entries.Add(new PaxTarEntry(type, name));
        return this;
    }

    public byte[] Build()
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in _entries)
            {
                tar.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }
}
