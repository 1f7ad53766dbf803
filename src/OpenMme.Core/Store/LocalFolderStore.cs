using System.Globalization;
using System.Runtime.CompilerServices;

namespace OpenMme.Store;

/// <summary>
/// A folder on local disk as the model store (<c>DIR</c> or <c>file:///DIR/</c>). An artifact's
/// version is its size and modification time; symbolic links are followed to the file they name.
/// Messages name keys, never the folder: they reach remote clients.
/// </summary>
public sealed class LocalFolderStore : IModelStore
{
    private readonly string _root;

    /// <summary>Opens the folder at <paramref name="root"/>; it need not exist yet.</summary>
    public LocalFolderStore(string root)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        Source = new Uri(_root + Path.DirectorySeparatorChar).AbsoluteUri;
    }

    /// <summary>The folder's absolute path.</summary>
    public string Root => _root;

    /// <inheritdoc />
    public string Source { get; }

    /// <inheritdoc />
    public string Describe(string key) => $"(key: {key})";

    /// <inheritdoc />
    public ValueTask<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken)
    {
        ModelKey.Validate(key);
        var file = Resolve(new FileInfo(PathOf(key)));
        return ValueTask.FromResult(file is not null ? ToInfo(key, file) : null);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ArtifactInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        if (!Directory.Exists(_root))
        {
            yield break;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 16 };
        foreach (var path in Directory.EnumerateFiles(_root, "*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (ArtifactKinds.IsArtifact(key) && Resolve(new FileInfo(path)) is { } file)
            {
                yield return ToInfo(key, file);
            }
        }
    }

    /// <summary>
    /// The file that holds <paramref name="key"/> (a symbolic link resolved), or null when there is none.
    /// Readers check its identity against the stat's version, as <see cref="OpenReadAsync"/> does.
    /// </summary>
    public string? FileOf(string key) => Resolve(new FileInfo(PathOf(key)))?.FullName;

    /// <inheritdoc />
    public ValueTask<Stream> OpenReadAsync(ArtifactInfo artifact, CancellationToken cancellationToken)
    {
        Stream stream = new LocalArtifactStream(PathOf(artifact.Key), artifact);
        return ValueTask.FromResult(stream);
    }

    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new Failures.ModelHostException(Failures.FailureKind.InvalidRequest, $"The target model '{key}' resolves outside the model source.");
        }

        return path;
    }

    /// <summary>The version of a file of <paramref name="length"/> bytes last written at <paramref name="lastWriteUtc"/>.</summary>
    internal static ArtifactVersion VersionOf(long length, DateTime lastWriteUtc) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{length:x}-{lastWriteUtc.Ticks:x}"));

    /// <summary>The file itself, or the file a symbolic link leads to; null when there is none.</summary>
    private static FileInfo? Resolve(FileInfo file)
    {
        if (file.LinkTarget is not null)
        {
            try
            {
                file = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            }
            catch (IOException)
            {
                return null;
            }
        }

        return file.Exists ? file : null;
    }

    private static ArtifactInfo ToInfo(string key, FileInfo file) => new(key, file.Length, VersionOf(file.Length, file.LastWriteTimeUtc));
}
