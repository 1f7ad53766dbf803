using System.Buffers;
using System.Text;

namespace OpenMme.Samples;

/// <summary>The few protobuf wire-format primitives needed to write ONNX models.</summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void Varint(int field, long value)
    {
        Tag(field, 0);
        Raw((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, 5);
        BitConverter.TryWriteBytes(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Raw((ulong)value.Length);
        _buffer.Write(value);
    }

    public void Message(int field, ProtoWriter message) => Bytes(field, message.Written);

    private void Tag(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

    private void Raw(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }
}
