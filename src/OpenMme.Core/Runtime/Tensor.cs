using System.Buffers;
using System.Runtime.InteropServices;

namespace OpenMme.Runtime;

/// <summary>
/// A named tensor in row-major order. Numeric data lives in a pooled buffer that returns to
/// the pool on <see cref="Dispose"/>; string tensors hold managed strings.
/// </summary>
public sealed class Tensor : IDisposable
{
    private byte[]? _buffer;

    private Tensor(string name, TensorDataType type, long[] shape, byte[]? buffer, int byteLength, string[]? strings)
    {
        Name = name;
        Type = type;
        Shape = shape;
        _buffer = buffer;
        ByteLength = byteLength;
        Strings = strings;
    }

    /// <summary>The tensor's name (the model input or output it belongs to).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public TensorDataType Type { get; }

    /// <summary>The dimensions.</summary>
    public long[] Shape { get; }

    /// <summary>Bytes of numeric data (0 for strings).</summary>
    public int ByteLength { get; }

    /// <summary>String elements, for <see cref="TensorDataType.String"/> tensors.</summary>
    public string[]? Strings { get; }

    /// <summary>Number of elements (product of the shape).</summary>
    public long ElementCount => ElementCountOf(Shape);

    /// <summary>Raw little-endian element bytes.</summary>
    public Span<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(Tensor))).AsSpan(0, ByteLength);

    /// <summary>Numeric elements viewed as <typeparamref name="T"/>.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(Bytes);

    internal byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(Tensor));

    /// <summary>Allocates a numeric tensor from the shared pool.</summary>
    public static Tensor Allocate(string name, TensorDataType type, long[] shape)
    {
        if (type == TensorDataType.String)
        {
            return new Tensor(name, type, shape, null, 0, new string[checked((int)ElementCountOf(shape))]);
        }

        var bytes = checked((int)(ElementCountOf(shape) * TensorDataTypes.ElementSize(type)));
        return new Tensor(name, type, shape, ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1)), bytes, null);
    }

    /// <summary>Wraps string elements.</summary>
    public static Tensor FromStrings(string name, long[] shape, string[] values) =>
        new(name, TensorDataType.String, shape, null, 0, values);

    /// <summary>Product of the dimensions; throws on negative dimensions or overflow.</summary>
    public static long ElementCountOf(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException("Tensor dimensions cannot be negative.", nameof(shape));
            }

            count = checked(count * dim);
        }

        return count;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
