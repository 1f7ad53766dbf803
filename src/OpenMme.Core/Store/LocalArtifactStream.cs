namespace OpenMme.Store;

/// <summary>
/// A model file of a local folder store, opened for one download. The store identifies a file by
/// size and modification time; the file is checked against that identity when opened and again at
/// its end, so a file rewritten while it is read is never staged as the version it was.
/// </summary>
internal sealed class LocalArtifactStream : ReadOnlyStream
{
    private readonly FileStream _file;
    private readonly ArtifactInfo _artifact;

    public LocalArtifactStream(string path, ArtifactInfo artifact)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        _artifact = artifact;
        try
        {
            CheckUnchanged();
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer) => AtEnd(_file.Read(buffer), buffer.Length);

    public override int Read(byte[] buffer, int offset, int count) => AtEnd(_file.Read(buffer, offset, count), count);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        AtEnd(await _file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    private int AtEnd(int read, int asked)
    {
        if (read == 0 && asked > 0)
        {
            CheckUnchanged();
        }

        return read;
    }

    private void CheckUnchanged()
    {
        var now = LocalFolderStore.VersionOf(_file.Length, File.GetLastWriteTimeUtc(_file.SafeFileHandle));
        if (now != _artifact.Version)
        {
            throw new IOException($"the file changed while it was read (version {_artifact.Version} became {now}); try again once it is written");
        }
    }
}
