using OpenMme.Store;

namespace OpenMme.TestSupport;

/// <summary>
/// A real store whose downloads of chosen keys stop sending after some bytes and stay silent,
/// as a stalled connection does: reads wait until they are cancelled.
/// </summary>
public sealed class StallingStore(IModelStore inner, long bytesBeforeStall, Func<string, bool> stalls) : IModelStore
{
    private int _stalled;

    /// <summary>Reads that stalled so far.</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    public string Source => inner.Source;

    public string Describe(string key) => inner.Describe(key);

    public ValueTask<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken) => inner.StatAsync(key, cancellationToken);

    public IAsyncEnumerable<ArtifactInfo> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async ValueTask<Stream> OpenReadAsync(ArtifactInfo artifact, CancellationToken cancellationToken)
    {
        var stream = await inner.OpenReadAsync(artifact, cancellationToken);
        return stalls(artifact.Key) ? new StallingStream(stream, bytesBeforeStall, () => Interlocked.Increment(ref _stalled)) : stream;
    }
}
