using System.Buffers;
using System.Runtime.InteropServices;

namespace OpenMme.Runtime;

/// <summary>
/// A named tensor in row-major order. Numeric data lives in a pooled buffer that returns to
/// the pool on <see cref="Dispose"/>; string tensors hold managed strings. A model output that is
/// not a tensor is one too, with its structure: a map is its values with <see cref="Keys"/>; a
/// sequence of maps that share their keys (ZipMap's) is its values stacked by row with the shared
/// <see cref="Keys"/>; any other sequence has one tensor per element in <see cref="Elements"/>.
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

    // Plain tensors, every value of a neural network, carry no structure: one null reference.
    private Structure? _structure;

    /// <summary>What the value is in ONNX terms.</summary>
    public ValueKind Kind => _structure?.Kind ?? ValueKind.Tensor;

    /// <summary>
    /// The keys of a <see cref="ValueKind.Map"/> (shape [C], values [C]) or of every map of a
    /// <see cref="ValueKind.MapSequence"/> whose maps share them (values [N, C]); otherwise null.
    /// </summary>
    public Tensor? Keys => _structure?.Keys;

    /// <summary>
    /// The elements of a sequence that cannot be stacked (tensors of different shapes, maps with
    /// different keys), each a tensor or a map; this tensor then holds no data and has shape [N].
    /// </summary>
    public IReadOnlyList<Tensor>? Elements => _structure?.Elements;

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

    /// <summary>Makes <paramref name="values"/> a map (values [C]) or a sequence of maps sharing <paramref name="keys"/> (values [N, C]); it owns the keys.</summary>
    public static Tensor WithKeys(Tensor values, Tensor keys, ValueKind kind)
    {
        if (kind is not (ValueKind.Map or ValueKind.MapSequence) || keys.Shape.Length != 1 || values.Shape.Length == 0 || values.Shape[^1] != keys.Shape[0])
        {
            throw new ArgumentException("Keys go with a map or a sequence of maps, one key per value column.", nameof(keys));
        }

        values._structure = new Structure(kind, keys, null);
        return values;
    }

    /// <summary>A sequence of <paramref name="elements"/> that cannot be stacked; it owns them.</summary>
    public static Tensor Sequence(string name, ValueKind kind, TensorDataType type, Tensor[] elements) =>
        new(name, type, [elements.Length], null, 0, null) { _structure = new Structure(kind, null, elements) };

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

        Keys?.Dispose();
        if (Elements is { } elements)
        {
            foreach (var element in elements)
            {
                element.Dispose();
            }
        }
    }

    private sealed record Structure(ValueKind Kind, Tensor? Keys, Tensor[]? Elements);
}
