namespace OpenMme.Store;

/// <summary>
/// Where model artifacts live (SageMaker's <c>ModelDataUrl</c> prefix). Keys are relative and
/// validated by <see cref="ModelKey"/> before they reach a store.
/// </summary>
public interface IModelStore
{
    /// <summary>The source this store reads, e.g. <c>file:///models/</c>.</summary>
    string Source { get; }

    /// <summary>Where <paramref name="key"/> is, for error messages that reach clients: the key (and bucket), never a server path.</summary>
    string Describe(string key);

    /// <summary>Size and version of an artifact, or null when it does not exist.</summary>
    ValueTask<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every artifact under the prefix.</summary>
    IAsyncEnumerable<ArtifactInfo> ListAsync(CancellationToken cancellationToken);

    /// <summary>Opens the artifact's bytes for reading.</summary>
    ValueTask<Stream> OpenReadAsync(ArtifactInfo artifact, CancellationToken cancellationToken);
}
