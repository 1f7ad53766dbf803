using System.Globalization;
using System.Runtime.CompilerServices;

namespace OpenMme.Store;

/// <summary>A folder on local disk as the model store (<c>DIR</c> or <c>file:///DIR/</c>).</summary>
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
    public string Describe(string key) => Path.Combine(_root, key);

    /// <inheritdoc />
    public ValueTask<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken)
    {
        ModelKey.Validate(key);
        var file = new FileInfo(PathOf(key));
        return ValueTask.FromResult(file.Exists ? ToInfo(key, file) : null);
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
            if (ArtifactKinds.IsArtifact(key))
            {
                yield return ToInfo(key, new FileInfo(path));
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<Stream> OpenReadAsync(ArtifactInfo artifact, CancellationToken cancellationToken)
    {
        Stream stream = new FileStream(PathOf(artifact.Key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            bufferSize: 0, FileOptions.SequentialScan);
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

    private static ArtifactInfo ToInfo(string key, FileInfo file) =>
        new(key, file.Length, new ArtifactVersion(string.Create(CultureInfo.InvariantCulture,
            $"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}")));
}
