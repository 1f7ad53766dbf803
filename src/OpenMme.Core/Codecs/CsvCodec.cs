using System.Buffers;
using System.Globalization;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary><c>text/csv</c>: rows of numbers for a single 2-D floating-point input; the response is one row per output row.</summary>
internal static class CsvCodec
{
    public static DecodedRequest Decode(ReadOnlySpan<byte> body, ModelSignature signature)
    {
        if (signature.Inputs.Count != 1 || signature.Inputs[0].Shape.Length != 2
            || signature.Inputs[0].Type is not (TensorDataType.Float or TensorDataType.Double))
        {
            throw CodecErrors.Rejected("text/csv needs a model with one 2-D FP32 or FP64 input. Send KServe v2 JSON instead.", signature);
        }

        // First pass: count rows and columns, so the values can be parsed straight into the tensor.
        var spec = signature.Inputs[0];
        var columns = -1;
        var rows = 0;
        for (var rest = body; !rest.IsEmpty;)
        {
            var line = NextLine(ref rest);
            if (line.IsEmpty)
            {
                continue;
            }

            var cells = line.Count((byte)',') + 1;
            if (columns >= 0 && cells != columns)
            {
                throw CodecErrors.Malformed($"CSV row {rows + 1} has {cells} columns; earlier rows have {columns}.");
            }

            columns = cells;
            rows++;
        }

        long[] shape = [rows, Math.Max(columns, 0)];
        if (!spec.Accepts(shape))
        {
            throw CodecErrors.Rejected($"The CSV has shape {CodecErrors.Shape(shape)}, which the model does not accept.", signature);
        }

        var inputs = new TensorSet(1);
        var tensor = Tensor.Allocate(spec.Name, spec.Type, shape);
        inputs.Add(tensor);
        try
        {
            var index = 0;
            var row = 0;
            for (var rest = body; !rest.IsEmpty;)
            {
                var line = NextLine(ref rest);
                if (line.IsEmpty)
                {
                    continue;
                }

                row++;
                while (true)
                {
                    var comma = line.IndexOf((byte)',');
                    var cell = comma < 0 ? line : line[..comma];
                    var parsed = spec.Type == TensorDataType.Float
                        ? float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out tensor.AsSpan<float>()[index])
                        : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out tensor.AsSpan<double>()[index]);
                    if (!parsed)
                    {
                        throw CodecErrors.Malformed($"CSV row {row} holds {CodecErrors.Quote(cell)}, which is not a number.");
                    }

                    index++;
                    if (comma < 0)
                    {
                        break;
                    }

                    line = line[(comma + 1)..];
                }
            }

            return new DecodedRequest(inputs, PayloadFormat.Csv, null, null);
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    public static void Encode(IBufferWriter<byte> output, TensorSet outputs)
    {
        if (outputs.Count != 1 || outputs[0].Shape.Length > 2 || outputs[0].Type == TensorDataType.String)
        {
            throw CodecErrors.Unanswerable("text/csv responses carry one numeric tensor of at most two dimensions; ask for application/json.");
        }

        var tensor = outputs[0];
        var columns = tensor.Shape.Length == 2 ? tensor.Shape[1] : 1;
        var count = tensor.ElementCount;
        for (long i = 0; i < count; i++)
        {
            // The longest element ("-1.7976931348623157E+308") and its separator fit in 32 bytes.
            var span = output.GetSpan(32);
            var written = Format(tensor, (int)i, span);
            span[written] = (i + 1) % columns == 0 ? (byte)'\n' : (byte)',';
            output.Advance(written + 1);
        }
    }

    /// <summary>The next line of <paramref name="rest"/> without its line end; <paramref name="rest"/> moves past it.</summary>
    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf((byte)'\n');
        var line = end < 0 ? rest : rest[..end];
        rest = end < 0 ? default : rest[(end + 1)..];
        return line.EndsWith((byte)'\r') ? line[..^1] : line;
    }

    private static int Format(Tensor tensor, int i, Span<byte> destination)
    {
        var invariant = CultureInfo.InvariantCulture;
        int written;
        var done = tensor.Type switch
        {
            TensorDataType.Float => tensor.AsSpan<float>()[i].TryFormat(destination, out written, "R", invariant),
            TensorDataType.Double => tensor.AsSpan<double>()[i].TryFormat(destination, out written, "R", invariant),
            TensorDataType.Float16 => ((float)tensor.AsSpan<Half>()[i]).TryFormat(destination, out written, "R", invariant),
            TensorDataType.BFloat16 => BFloat16.ToSingle(tensor.AsSpan<ushort>()[i]).TryFormat(destination, out written, "R", invariant),
            TensorDataType.Int8 => tensor.AsSpan<sbyte>()[i].TryFormat(destination, out written, default, invariant),
            TensorDataType.Int16 => tensor.AsSpan<short>()[i].TryFormat(destination, out written, default, invariant),
            TensorDataType.Int32 => tensor.AsSpan<int>()[i].TryFormat(destination, out written, default, invariant),
            TensorDataType.Int64 => tensor.AsSpan<long>()[i].TryFormat(destination, out written, default, invariant),
            TensorDataType.UInt8 => tensor.Bytes[i].TryFormat(destination, out written, default, invariant),
            TensorDataType.UInt16 => tensor.AsSpan<ushort>()[i].TryFormat(destination, out written, default, invariant),
            TensorDataType.UInt32 => tensor.AsSpan<uint>()[i].TryFormat(destination, out written, default, invariant),
            TensorDataType.UInt64 => tensor.AsSpan<ulong>()[i].TryFormat(destination, out written, default, invariant),
            TensorDataType.Bool => (tensor.Bytes[i] != 0 ? (byte)1 : (byte)0).TryFormat(destination, out written, default, invariant),
            _ => throw new ArgumentOutOfRangeException(nameof(tensor)),
        };
        return done ? written : throw new InvalidOperationException("A CSV number did not fit its 32-byte slot.");
    }
}
