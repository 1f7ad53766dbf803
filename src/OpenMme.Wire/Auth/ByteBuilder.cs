using System.Buffers;
using System.Text;

namespace OpenMme.Wire.Auth;

/// <summary>
/// UTF-8 text built on a stack buffer that moves to a pooled array only when it outgrows it:
/// the canonical request and string to sign are written here, never as strings.
/// </summary>
internal ref struct ByteBuilder
{
    private const string HexDigits = "0123456789ABCDEF";
    private byte[]? _rented;
    private Span<byte> _buffer;
    private int _length;

    public ByteBuilder(Span<byte> initial)
    {
        _buffer = initial;
        _rented = null;
        _length = 0;
    }

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    public void Append(byte value)
    {
        Reserve(1);
        _buffer[_length++] = value;
    }

    public void Append(scoped ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_buffer[_length..]);
        _length += bytes.Length;
    }

    /// <summary>Text as UTF-8.</summary>
    public void Append(scoped ReadOnlySpan<char> text)
    {
        Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer[_length..]);
    }

    /// <summary>Bytes as lowercase hexadecimal.</summary>
    public void AppendHex(scoped ReadOnlySpan<byte> bytes)
    {
        Reserve(2 * bytes.Length);
        WriteHex(bytes, _buffer.Slice(_length, 2 * bytes.Length));
        _length += 2 * bytes.Length;
    }

    /// <summary>Writes <paramref name="bytes"/> as lowercase hexadecimal UTF-8 into <paramref name="destination"/> (twice as long).</summary>
    public static void WriteHex(scoped ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = (byte)"0123456789abcdef"[bytes[i] >> 4];
            destination[(2 * i) + 1] = (byte)"0123456789abcdef"[bytes[i] & 0xF];
        }
    }

    /// <summary>
    /// SigV4's UriEncode: unreserved characters (<c>A-Z a-z 0-9 - _ . ~</c>) as they are, every other
    /// UTF-8 byte as <c>%XX</c> with uppercase hex digits.
    /// </summary>
    public void AppendUriEncoded(scoped ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsUnreserved(c))
            {
                Append((byte)c);
                i++;
                continue;
            }

            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
            }

            i += consumed;
            var count = rune.EncodeToUtf8(utf8);
            Reserve(3 * count);
            for (var j = 0; j < count; j++)
            {
                _buffer[_length++] = (byte)'%';
                _buffer[_length++] = (byte)HexDigits[utf8[j] >> 4];
                _buffer[_length++] = (byte)HexDigits[utf8[j] & 0xF];
            }
        }
    }

    public static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~';

    public readonly override string ToString() => Encoding.UTF8.GetString(Written);

    public void Dispose()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void Reserve(int count)
    {
        if (_length + count <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
        _buffer[.._length].CopyTo(larger);
        if (_rented is { } old)
        {
            ArrayPool<byte>.Shared.Return(old);
        }

        _rented = larger;
        _buffer = larger;
    }
}
