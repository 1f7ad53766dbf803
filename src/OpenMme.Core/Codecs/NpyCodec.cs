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
            throw CodecErrors.Malformed("The body is not an NPY array (it does not start with \\x93NUMPY).");
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
            throw CodecErrors.Malformed($"NPY format version {major} is not supported.");
        }

        if (headerStart + (long)headerLength > body.Length)
        {
            throw CodecErrors.Malformed("The NPY header is truncated.");
        }

        var header = NpyHeader.Parse(body.Slice(headerStart, headerLength));
        if (header.FortranOrder)
        {
            throw CodecErrors.Malformed("The NPY array is in Fortran order; send a C-ordered array (numpy.ascontiguousarray).");
        }

        var type = ParseDescr(header.Descr);
        var shape = header.Shape;
        var spec = signature.Inputs[0];
        if (type != spec.Type)
        {
            throw CodecErrors.Rejected($"The NPY array is {TensorDataTypes.KServeName(type)}, but the model takes {TensorDataTypes.KServeName(spec.Type)}.", signature);
        }

        if (!spec.Accepts(shape))
        {
            throw CodecErrors.Rejected($"The NPY array has shape {CodecErrors.Shape(shape)}, which the model does not accept.", signature);
        }

        var data = body[(headerStart + headerLength)..];
        long expected;
        try
        {
            expected = checked(Tensor.ElementCountOf(shape) * TensorDataTypes.ElementSize(type));
        }
        catch (OverflowException)
        {
            expected = long.MaxValue;
        }

        if (data.Length != expected)
        {
            throw CodecErrors.Malformed(expected == long.MaxValue
                ? $"The NPY array of shape {CodecErrors.Shape(shape)} has more values than any body can hold."
                : $"The NPY array of shape {CodecErrors.Shape(shape)} needs {expected} data bytes; the body has {data.Length}.");
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
            throw CodecErrors.Unanswerable(outputs[1].Name, $"is one of {outputs.Count} outputs", "application/x-npy (one array)", OutputForms.AllJson + " or text/csv");
        }

        var tensor = outputs[0];
        if (tensor.Kind != ValueKind.Tensor)
        {
            throw CodecErrors.Unanswerable(tensor.Name, "is a " + OutputForms.TypeText(tensor), "application/x-npy", OutputForms.AllJson);
        }

        if (tensor.Type == TensorDataType.String)
        {
            throw CodecErrors.Unanswerable(tensor.Name, "holds strings", "application/x-npy", OutputForms.AllJson + " or text/csv");
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

    private static TensorDataType ParseDescr(string descr)
    {
        // One byte-order mark at most: '<' little, '>' big, '=' native, '|' not applicable.
        var code = descr.Length > 0 && descr[0] is '<' or '>' or '=' or '|' ? descr.AsSpan(1) : descr;
        if (descr.StartsWith('>') && code is not ("i1" or "u1" or "b1"))
        {
            throw CodecErrors.Malformed($"The NPY array is big-endian ({CodecErrors.Quote(descr)}); send a little-endian array.");
        }

        return code switch
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
            _ => throw CodecErrors.Malformed($"NPY dtype {CodecErrors.Quote(descr)} is not supported; use a numeric or bool array."),
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
