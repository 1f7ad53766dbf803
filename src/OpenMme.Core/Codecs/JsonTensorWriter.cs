using System.Text.Json;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// Writes tensor elements as JSON values, flat or nested by shape, and whole values: a map as an
/// object (keys as text), a sequence as an array. Non-finite floats become strings.
/// </summary>
internal static class JsonTensorWriter
{
    /// <summary>A whole value: a tensor nested by its shape, a map as an object, a sequence as an array of its elements.</summary>
    public static void WriteValue(Utf8JsonWriter writer, Tensor value)
    {
        switch (value.Kind)
        {
            case ValueKind.Tensor:
                WriteNested(writer, value, value.Shape, 0);
                return;
            case ValueKind.Map:
                WriteMapRow(writer, value, 0);
                return;
        }

        writer.WriteStartArray();
        for (long row = 0; row < value.Shape[0]; row++)
        {
            WriteRow(writer, value, row);
        }

        writer.WriteEndArray();
    }

    /// <summary>Row <paramref name="row"/> of a batched value: a tensor's sub-array, a sequence's element, a map of a map sequence.</summary>
    public static void WriteRow(Utf8JsonWriter writer, Tensor value, long row)
    {
        if (value.Elements is { } elements)
        {
            WriteValue(writer, elements[checked((int)row)]);
        }
        else if (value.Kind == ValueKind.MapSequence)
        {
            WriteMapRow(writer, value, row);
        }
        else
        {
            var inner = value.Shape.AsSpan(1);
            WriteNested(writer, value, inner, row * Tensor.ElementCountOf(inner));
        }
    }

    private static void WriteMapRow(Utf8JsonWriter writer, Tensor value, long row)
    {
        var keys = value.Keys!;
        var columns = (int)keys.Shape[0];
        writer.WriteStartObject();
        for (var i = 0; i < columns; i++)
        {
            writer.WritePropertyName(OutputForms.KeyText(keys, i));
            WriteElement(writer, value, checked((int)(row * columns) + i));
        }

        writer.WriteEndObject();
    }

    public static void WriteFlat(Utf8JsonWriter writer, Tensor tensor)
    {
        writer.WriteStartArray();
        var count = tensor.ElementCount;
        for (long i = 0; i < count; i++)
        {
            WriteElement(writer, tensor, (int)i);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes elements [start, start + count of the sub-shape) nested by <paramref name="shape"/>.</summary>
    public static void WriteNested(Utf8JsonWriter writer, Tensor tensor, ReadOnlySpan<long> shape, long start)
    {
        if (shape.IsEmpty)
        {
            WriteElement(writer, tensor, (int)start);
            return;
        }

        var stride = Tensor.ElementCountOf(shape[1..]);
        writer.WriteStartArray();
        for (long i = 0; i < shape[0]; i++)
        {
            WriteNested(writer, tensor, shape[1..], start + (i * stride));
        }

        writer.WriteEndArray();
    }

    public static void WriteElement(Utf8JsonWriter writer, Tensor tensor, int i)
    {
        switch (tensor.Type)
        {
            case TensorDataType.Float:
                WriteFloat(writer, tensor.AsSpan<float>()[i]);
                break;
            case TensorDataType.Double:
                WriteDouble(writer, tensor.AsSpan<double>()[i]);
                break;
            case TensorDataType.Float16:
                WriteFloat(writer, (float)tensor.AsSpan<Half>()[i]);
                break;
            case TensorDataType.BFloat16:
                WriteFloat(writer, BFloat16.ToSingle(tensor.AsSpan<ushort>()[i]));
                break;
            case TensorDataType.Int8:
                writer.WriteNumberValue(tensor.AsSpan<sbyte>()[i]);
                break;
            case TensorDataType.Int16:
                writer.WriteNumberValue(tensor.AsSpan<short>()[i]);
                break;
            case TensorDataType.Int32:
                writer.WriteNumberValue(tensor.AsSpan<int>()[i]);
                break;
            case TensorDataType.Int64:
                writer.WriteNumberValue(tensor.AsSpan<long>()[i]);
                break;
            case TensorDataType.UInt8:
                writer.WriteNumberValue(tensor.Bytes[i]);
                break;
            case TensorDataType.UInt16:
                writer.WriteNumberValue(tensor.AsSpan<ushort>()[i]);
                break;
            case TensorDataType.UInt32:
                writer.WriteNumberValue(tensor.AsSpan<uint>()[i]);
                break;
            case TensorDataType.UInt64:
                writer.WriteNumberValue(tensor.AsSpan<ulong>()[i]);
                break;
            case TensorDataType.Bool:
                writer.WriteBooleanValue(tensor.Bytes[i] != 0);
                break;
            case TensorDataType.String:
                writer.WriteStringValue(tensor.Strings![i]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(tensor));
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
