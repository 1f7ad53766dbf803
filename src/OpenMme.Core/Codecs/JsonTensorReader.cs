using System.Globalization;
using System.Text.Json;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>Reads JSON arrays of numbers, booleans or strings (nested or flat) into a tensor, row-major.</summary>
internal static class JsonTensorReader
{
    /// <summary>Fills <paramref name="tensor"/> from the array at the reader; the reader ends on the array's end.</summary>
    public static void ReadData(ref Utf8JsonReader reader, Tensor tensor)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            ReadElement(ref reader, tensor, 0);
            if (tensor.ElementCount != 1)
            {
                throw CodecErrors.Invalid($"Input '{tensor.Name}' has shape {Shape(tensor.Shape)} but its data is a single value.");
            }

            return;
        }

        var depth = reader.CurrentDepth;
        var count = tensor.ElementCount;
        long index = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    continue;
                case JsonTokenType.EndArray:
                    if (reader.CurrentDepth == depth)
                    {
                        if (index != count)
                        {
                            throw CodecErrors.Invalid($"Input '{tensor.Name}' has shape {Shape(tensor.Shape)}, which needs {count} values; the data holds {index}.");
                        }

                        return;
                    }

                    continue;
                default:
                    if (index >= count)
                    {
                        throw CodecErrors.Invalid($"Input '{tensor.Name}' has shape {Shape(tensor.Shape)}, which needs {count} values; the data holds more.");
                    }

                    ReadElement(ref reader, tensor, index++);
                    break;
            }
        }
    }

    public static string Shape(ReadOnlySpan<long> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    private static void ReadElement(ref Utf8JsonReader reader, Tensor tensor, long index)
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
                tensor.Strings![i] = reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw NotA(ref reader, tensor);
                break;
            default:
                throw NotA(ref reader, tensor);
        }
    }

    private static double ReadNonFinite(ref Utf8JsonReader reader, Tensor tensor)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString();
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

    private static Failures.ModelHostException NotA(ref Utf8JsonReader reader, Tensor tensor)
    {
        var token = reader.TokenType switch
        {
            JsonTokenType.String => "\"" + reader.GetString() + "\"",
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            JsonTokenType.Null => "null",
            _ => reader.TokenType.ToString(),
        };
        return CodecErrors.Invalid(string.Create(CultureInfo.InvariantCulture,
            $"Input '{tensor.Name}' is {TensorDataTypes.KServeName(tensor.Type)}, but its data holds {token}."));
    }
}
