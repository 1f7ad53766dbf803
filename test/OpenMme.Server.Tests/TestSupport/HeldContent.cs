using System.Net;

namespace OpenMme.TestSupport;

/// <summary>
/// A request body sent all but its last byte at once and the last byte on <see cref="Release"/>,
/// so that a request stays in flight on the server for as long as a test needs.
/// </summary>
public sealed class HeldContent(byte[] body) : HttpContent
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _released.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(body.AsMemory(0, body.Length - 1));
        await stream.FlushAsync();
        await _released.Task;
        await stream.WriteAsync(body.AsMemory(body.Length - 1));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}
