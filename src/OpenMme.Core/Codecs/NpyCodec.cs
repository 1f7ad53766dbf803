using System.Buffers;
using System.Globalization;
using System.Text;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary><c>application/x-npy</c>: one NumPy array in, one out (NPY format versions 1 to 3, little-endian, C order).</summary>
internal static class NpyCodec
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static DecodedRequest Decode(ReadOnlySpan<byte> body, ModelSignature signature)
    {
        if (signature.Inputs.Count != 1)
        {
            throw CodecErrors.Rejected($"application/x-npy carries one array, but the model has {signature.Inputs.Count} inputs. Send KServe v2 JSON instead.", signature);
        }

        if (body.Length < 10 || !body.StartsWith(Magic))
        {
            throw CodecErrors.Invalid("The body is not an NPY array (it does not start with \\x93NUMPY).");
        }

        var major = body[6];
        int headerLength, headerStart;
        if (major == 1)
        {
            headerLength = body[8] | (body[9] << 8);
            headerStart = 10;
        }
        else if (major is 2 or 3 && body.Length >= 12)
        {
            headerLength = (int)Math.Min(int.MaxValue, BitConverter.ToUInt32(body[8..12]));
            headerStart = 12;
        }
        else
        {
            throw CodecErrors.Invalid($"NPY format version {major} is not supported.");
        }

        if (headerStart + (long)headerLength > body.Length)
        {
            throw CodecErrors.Invalid("The NPY header is truncated.");
        }

        var header = Encoding.ASCII.GetString(body.Slice(headerStart, headerLength));
        var descr = Field(header, "descr") ?? throw CodecErrors.Invalid("The NPY header has no 'descr'.");
        var fortran = Field(header, "fortran_order");
        var shapeText = Field(header, "shape") ?? throw CodecErrors.Invalid("The NPY header has no 'shape'.");
        if (fortran is not null && fortran.StartsWith("True", StringComparison.Ordinal))
        {
            throw CodecErrors.Invalid("The NPY array is in Fortran order; send a C-ordered array (numpy.ascontiguousarray).");
        }

        var type = ParseDescr(descr.Trim('\'', '"', ' '));
        var shape = ParseShape(shapeText);
        var spec = signature.Inputs[0];
        if (type != spec.Type)
        {
            throw CodecErrors.Rejected($"The NPY array is {TensorDataTypes.KServeName(type)}, but the model takes {TensorDataTypes.KServeName(spec.Type)}.", signature);
        }

        if (!spec.Accepts(shape))
        {
            throw CodecErrors.Rejected($"The NPY array has shape {JsonTensorReader.Shape(shape)}, which the model does not accept.", signature);
        }

        var data = body[(headerStart + headerLength)..];
        var expected = Tensor.ElementCountOf(shape) * TensorDataTypes.ElementSize(type);
        if (data.Length != expected)
        {
            throw CodecErrors.Invalid($"The NPY array of shape {JsonTensorReader.Shape(shape)} needs {expected} data bytes; the body has {data.Length}.");
        }

        var inputs = new TensorSet(1);
        var tensor = Tensor.Allocate(spec.Name, type, shape);
        inputs.Add(tensor);
        data.CopyTo(tensor.Bytes);
        return new DecodedRequest(inputs, PayloadFormat.Npy, null, null);
    }

    public static void Encode(IBufferWriter<byte> output, TensorSet outputs)
    {
        if (outputs.Count != 1)
        {
            throw CodecErrors.Invalid($"application/x-npy responses carry one array, but the model returned {outputs.Count}. Ask for application/json.");
        }

        var tensor = outputs[0];
        if (tensor.Type == TensorDataType.String)
        {
            throw CodecErrors.Invalid("String outputs have no NPY form here; ask for application/json.");
        }

        var shape = tensor.Shape.Length == 1
            ? $"({tensor.Shape[0]},)"
            : "(" + string.Join(", ", tensor.Shape) + ")";
        var dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '{Descr(tensor.Type)}', 'fortran_order': False, 'shape': {shape}, }}");
        var total = 10 + dict.Length + 1;
        var padding = (64 - (total % 64)) % 64;
        var header = dict + new string(' ', padding) + "\n";
        var span = output.GetSpan(10 + header.Length);
        Magic.CopyTo(span);
        span[6] = 1;
        span[7] = 0;
        span[8] = (byte)header.Length;
        span[9] = (byte)(header.Length >> 8);
        Encoding.ASCII.GetBytes(header, span[10..]);
        output.Advance(10 + header.Length);
        output.Write(tensor.Bytes);
    }

    private static string? Field(string header, string name)
    {
        var at = header.IndexOf("'" + name + "'", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var colon = header.IndexOf(':', at);
        if (colon < 0)
        {
            return null;
        }

        var rest = header[(colon + 1)..].TrimStart();
        if (rest.StartsWith('('))
        {
            var close = rest.IndexOf(')', StringComparison.Ordinal);
            return close < 0 ? null : rest[..(close + 1)];
        }

        var end = rest.IndexOf(',', StringComparison.Ordinal);
        return end < 0 ? rest.TrimEnd('}', ' ') : rest[..end];
    }

    private static long[] ParseShape(string text)
    {
        var inner = text.Trim().TrimStart('(').TrimEnd(')');
        var parts = inner.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
            {
                throw CodecErrors.Invalid($"The NPY shape '{text}' is not a tuple of integers.");
            }
        }

        return shape;
    }

    private static TensorDataType ParseDescr(string descr)
    {
        if (descr.Length > 1 && descr[0] == '>' && descr[1..] is not ("i1" or "u1" or "b1"))
        {
            throw CodecErrors.Invalid($"The NPY array is big-endian ('{descr}'); send a little-endian array.");
        }

        return descr.TrimStart('<', '|', '=', '>') switch
        {
            "f4" => TensorDataType.Float,
            "f8" => TensorDataType.Double,
            "f2" => TensorDataType.Float16,
            "i1" => TensorDataType.Int8,
            "i2" => TensorDataType.Int16,
            "i4" => TensorDataType.Int32,
            "i8" => TensorDataType.Int64,
            "u1" => TensorDataType.UInt8,
            "u2" => TensorDataType.UInt16,
            "u4" => TensorDataType.UInt32,
            "u8" => TensorDataType.UInt64,
            "b1" => TensorDataType.Bool,
            _ => throw CodecErrors.Invalid($"NPY dtype '{descr}' is not supported; use a numeric or bool array."),
        };
    }

    private static string Descr(TensorDataType type) => type switch
    {
        TensorDataType.Float => "<f4",
        TensorDataType.Double => "<f8",
        TensorDataType.Float16 => "<f2",
        TensorDataType.BFloat16 => "<u2",
        TensorDataType.Int8 => "|i1",
        TensorDataType.Int16 => "<i2",
        TensorDataType.Int32 => "<i4",
        TensorDataType.Int64 => "<i8",
        TensorDataType.UInt8 => "|u1",
        TensorDataType.UInt16 => "<u2",
        TensorDataType.UInt32 => "<u4",
        TensorDataType.UInt64 => "<u8",
        TensorDataType.Bool => "|b1",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
