using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using OpenMme.Failures;
using OpenMme.Store;

namespace OpenMme.DiskTier;

/// <summary>
/// A read-only pass-through that counts the bytes read and, when the store gave a checksum,
/// digests them, so a download can be verified without a second pass over the file. A failed
/// read is the store's failure, reported as such: a disk error while writing the copy is not.
/// </summary>
internal sealed class VerifyingStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly Crc32? _crc32;
    private readonly IncrementalHash? _sha256;

    private readonly string _source;

    public VerifyingStream(Stream inner, ArtifactChecksum? checksum, string source)
    {
        _inner = inner;
        _source = source;
        _crc32 = checksum?.Algorithm == "CRC32" ? new Crc32() : null;
        _sha256 = checksum?.Algorithm == "SHA256" ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    }

    public long BytesRead { get; private set; }

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    /// <summary>The digest of what was read, base64 as S3 writes it (CRC32 big-endian), or null when not checking.</summary>
    public string? Digest()
    {
        if (_crc32 is not null)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, _crc32.GetCurrentHashAsUInt32());
            return Convert.ToBase64String(bytes);
        }

        return _sha256 is null ? null : Convert.ToBase64String(_sha256.GetCurrentHash());
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Track(buffer, _inner.Read(buffer));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw ReadFailed(e);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw ReadFailed(e);
        }

        return Track(buffer.Span, read);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256?.Dispose();
        }

        base.Dispose(disposing);
    }

    private ModelHostException ReadFailed(Exception e) =>
        new(FailureKind.StoreUnavailable, $"Reading model data {_source} failed after {BytesRead} bytes: {e.Message}", e);

    private int Track(Span<byte> buffer, int read)
    {
        BytesRead += read;
        _crc32?.Append(buffer[..read]);
        _sha256?.AppendData(buffer[..read]);
        return read;
    }
}
