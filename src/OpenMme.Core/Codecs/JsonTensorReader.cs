using System.Text.Json;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// Reads the JSON array of one tensor's data into the tensor, row-major. The data is either flat
/// (values only) or nested exactly as the tensor's shape; anything in between (<c>[4,[5,6]]</c>,
/// rows of the wrong length, nesting deeper or shallower than the shape) is refused rather than
/// guessed at.
/// </summary>
internal static class JsonTensorReader
{
    // Utf8JsonReader's depth limit for request bodies (JsonPayloadCodec's MaxDepth) bounds the nesting.
    private const int MaxLevels = 64;

    /// <summary>Fills <paramref name="tensor"/> from the data at the reader; the reader ends on the data's last token.</summary>
    public static void ReadData(ref Utf8JsonReader reader, Tensor tensor)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            if (reader.TokenType == JsonTokenType.StartObject || tensor.ElementCount != 1)
            {
                throw CodecErrors.Malformed($"Input {CodecErrors.Quote(tensor.Name)} has shape {CodecErrors.Shape(tensor.Shape)}, so its data must be an array of {tensor.ElementCount} values.");
            }

            ReadElement(ref reader, tensor, 0);
            return;
        }

        var shape = tensor.Shape;
        var count = tensor.ElementCount;
        // Items counted in the open array at each nesting level; nested data goes no deeper than the shape.
        Span<long> items = stackalloc long[Math.Min(shape.Length, MaxLevels) + 1];
        var level = 0;
        var nested = false;
        long index = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    // The outer array's first item decides: a value means flat data, an array nested data.
                    nested |= level == 0 && items[0] == 0;
                    if (!nested || level + 1 >= items.Length - 1)
                    {
                        throw Uneven(tensor, $"an array at depth {level + 2}");
                    }

                    items[level]++;
                    items[++level] = 0;
                    break;
                case JsonTokenType.EndArray:
                    if (nested && items[level] != shape[level])
                    {
                        throw Uneven(tensor, $"an array of {items[level]} items at depth {level + 1}, where the shape says {shape[level]}");
                    }

                    if (level == 0)
                    {
                        if (index != count)
                        {
                            throw CodecErrors.Malformed($"Input {CodecErrors.Quote(tensor.Name)} has shape {CodecErrors.Shape(shape)}, which needs {count} values; the data holds {index}.");
                        }

                        return;
                    }

                    level--;
                    break;
                case JsonTokenType.StartObject:
                    throw NotA(ref reader, tensor);
                default:
                    if (nested && level != shape.Length - 1)
                    {
                        throw Uneven(tensor, $"a value at depth {level + 1}");
                    }

                    if (index >= count)
                    {
                        throw CodecErrors.Malformed($"Input {CodecErrors.Quote(tensor.Name)} has shape {CodecErrors.Shape(shape)}, which needs {count} values; the data holds more.");
                    }

                    ReadElement(ref reader, tensor, index++);
                    items[level]++;
                    break;
            }
        }
    }

    /// <summary>Reads the value at the reader into element <paramref name="index"/> of <paramref name="tensor"/>.</summary>
    public static void ReadElement(ref Utf8JsonReader reader, Tensor tensor, long index)
    {
        var i = checked((int)index);
        switch (tensor.Type)
        {
            case TensorDataType.Float:
                tensor.AsSpan<float>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out var f) ? f : (float)ReadNonFinite(ref reader, tensor);
                break;
            case TensorDataType.Double:
                tensor.AsSpan<double>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) ? d : ReadNonFinite(ref reader, tensor);
                break;
            case TensorDataType.Float16:
                tensor.AsSpan<Half>()[i] = (Half)(reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var h) ? h : ReadNonFinite(ref reader, tensor));
                break;
            case TensorDataType.BFloat16:
                var value = reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out var b) ? b : (float)ReadNonFinite(ref reader, tensor);
                tensor.AsSpan<ushort>()[i] = BFloat16.FromSingle(value);
                break;
            case TensorDataType.Int8:
                tensor.AsSpan<sbyte>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetSByte(out var i8) ? i8 : throw NotA(ref reader, tensor);
                break;
            case TensorDataType.Int16:
                tensor.AsSpan<short>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetInt16(out var i16) ? i16 : throw NotA(ref reader, tensor);
                break;
            case TensorDataType.Int32:
                tensor.AsSpan<int>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var i32) ? i32 : throw NotA(ref reader, tensor);
                break;
            case TensorDataType.Int64:
                tensor.AsSpan<long>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var i64) ? i64 : throw NotA(ref reader, tensor);
                break;
            case TensorDataType.UInt8:
                tensor.AsSpan<byte>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetByte(out var u8) ? u8 : throw NotA(ref reader, tensor);
                break;
            case TensorDataType.UInt16:
                tensor.AsSpan<ushort>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var u16) ? u16 : throw NotA(ref reader, tensor);
                break;
            case TensorDataType.UInt32:
                tensor.AsSpan<uint>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var u32) ? u32 : throw NotA(ref reader, tensor);
                break;
            case TensorDataType.UInt64:
                tensor.AsSpan<ulong>()[i] = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var u64) ? u64 : throw NotA(ref reader, tensor);
                break;
            case TensorDataType.Bool:
                tensor.Bytes[i] = reader.TokenType switch
                {
                    JsonTokenType.True => 1,
                    JsonTokenType.False => 0,
                    JsonTokenType.Number when reader.TryGetByte(out var flag) && flag <= 1 => flag,
                    _ => throw NotA(ref reader, tensor),
                };
                break;
            case TensorDataType.String:
                tensor.Strings![i] = reader.TokenType == JsonTokenType.String ? JsonText.GetString(ref reader) : throw NotA(ref reader, tensor);
                break;
            default:
                throw NotA(ref reader, tensor);
        }
    }

    private static double ReadNonFinite(ref Utf8JsonReader reader, Tensor tensor)
    {
        // "-Infinity" is the longest spelling; anything longer is not one.
        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= 16)
        {
            var text = JsonText.GetString(ref reader);
            if (string.Equals(text, "NaN", StringComparison.OrdinalIgnoreCase))
            {
                return double.NaN;
            }

            if (string.Equals(text, "Infinity", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "+Infinity", StringComparison.OrdinalIgnoreCase)
                || string.Equals(text, "inf", StringComparison.OrdinalIgnoreCase))
            {
                return double.PositiveInfinity;
            }

            if (string.Equals(text, "-Infinity", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "-inf", StringComparison.OrdinalIgnoreCase))
            {
                return double.NegativeInfinity;
            }
        }

        throw NotA(ref reader, tensor);
    }

    private static Failures.ModelHostException Uneven(Tensor tensor, string what) =>
        CodecErrors.Malformed($"Input {CodecErrors.Quote(tensor.Name)} has shape {CodecErrors.Shape(tensor.Shape)}, but its data is nested otherwise ({what}). Send the data flat, row-major, or nested exactly as the shape.");

    private static Failures.ModelHostException NotA(ref Utf8JsonReader reader, Tensor tensor)
    {
        var token = reader.TokenType switch
        {
            JsonTokenType.String => "the string " + CodecErrors.Quote(reader.ValueSpan),
            JsonTokenType.Number => "the number " + CodecErrors.Quote(reader.ValueSpan),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            JsonTokenType.Null => "null",
            JsonTokenType.StartObject => "an object",
            _ => reader.TokenType.ToString(),
        };
        return CodecErrors.Malformed($"Input {CodecErrors.Quote(tensor.Name)} is {TensorDataTypes.KServeName(tensor.Type)}, but its data holds {token}.");
    }
}
