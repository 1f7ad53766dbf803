using System.Buffers;
using Microsoft.AspNetCore.Http;
using OpenMme.Failures;

namespace OpenMme.Wire;

/// <summary>A request body read into one pooled buffer, refused as soon as it passes the size limit.</summary>
public sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The body's bytes, valid until the body is disposed.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>A fresh read-only stream over the body, e.g. to send it again to another instance.</summary>
    public Stream OpenRead() => new MemoryStream(_buffer, 0, Length, writable: false);

    public static async ValueTask<RequestBody> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > limit)
        {
            throw TooLarge(declared.Value, limit);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)(declared ?? 16 * 1024) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        throw TooLarge(length, limit);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    throw TooLarge(length, limit);
                }
            }

            return new RequestBody(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ModelHostException TooLarge(long length, int limit) =>
        new(FailureKind.PayloadTooLarge, length > limit && length != limit + 1
            ? $"Request body of {length} bytes exceeds the limit of {limit} bytes (6 MiB) for an invocation."
            : $"Request body exceeds the limit of {limit} bytes (6 MiB) for an invocation.");
}
