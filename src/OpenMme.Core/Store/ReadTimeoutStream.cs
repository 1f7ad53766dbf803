namespace OpenMme.Store;

/// <summary>
/// A read-only view of a network body that fails any asynchronous read which receives nothing for
/// <c>timeout</c>: a store that stops sending mid-body must not hold a download forever.
/// </summary>
internal sealed class ReadTimeoutStream(Stream inner, TimeSpan timeout) : ReadOnlyStream
{
    private CancellationTokenSource _idle = new();

    // Downloads read asynchronously; a synchronous reader gets the inner stream's own behaviour.
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_idle.TryReset())
        {
            _idle.Dispose();
            _idle = new CancellationTokenSource();
        }

        _idle.CancelAfter(timeout);
        using var registration = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _idle);
        try
        {
            return await inner.ReadAsync(buffer, _idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"the store sent nothing for {timeout.TotalSeconds:0.###} s");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _idle.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        _idle.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
