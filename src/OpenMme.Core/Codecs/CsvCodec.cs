using System.Buffers;
using System.Globalization;
using System.Text;
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

        var spec = signature.Inputs[0];
        var values = new List<double>();
        var columns = -1;
        var rows = 0;
        foreach (var line in Encoding.UTF8.GetString(body).Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.Length == 0)
            {
                continue;
            }

            var cells = text.Split(',');
            if (columns >= 0 && cells.Length != columns)
            {
                throw CodecErrors.Invalid($"CSV row {rows + 1} has {cells.Length} columns; earlier rows have {columns}.");
            }

            columns = cells.Length;
            foreach (var cell in cells)
            {
                if (!double.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw CodecErrors.Invalid($"CSV row {rows + 1} holds '{cell}', which is not a number.");
                }

                values.Add(value);
            }

            rows++;
        }

        long[] shape = [rows, Math.Max(columns, 0)];
        if (!spec.Accepts(shape))
        {
            throw CodecErrors.Rejected($"The CSV has shape {JsonTensorReader.Shape(shape)}, which the model does not accept.", signature);
        }

        var inputs = new TensorSet(1);
        var tensor = Tensor.Allocate(spec.Name, spec.Type, shape);
        inputs.Add(tensor);
        for (var i = 0; i < values.Count; i++)
        {
            if (spec.Type == TensorDataType.Float)
            {
                tensor.AsSpan<float>()[i] = (float)values[i];
            }
            else
            {
                tensor.AsSpan<double>()[i] = values[i];
            }
        }

        return new DecodedRequest(inputs, PayloadFormat.Csv, null, null);
    }

    public static void Encode(IBufferWriter<byte> output, TensorSet outputs)
    {
        if (outputs.Count != 1 || outputs[0].Shape.Length > 2 || outputs[0].Type == TensorDataType.String)
        {
            throw CodecErrors.Invalid("text/csv responses carry one numeric tensor of at most two dimensions; ask for application/json.");
        }

        var tensor = outputs[0];
        var columns = tensor.Shape.Length == 2 ? tensor.Shape[1] : 1;
        var text = new StringBuilder();
        var count = tensor.ElementCount;
        for (long i = 0; i < count; i++)
        {
            text.Append(Format(tensor, (int)i)).Append((i + 1) % columns == 0 ? '\n' : ',');
        }

        output.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string Format(Tensor tensor, int i) => tensor.Type switch
    {
        TensorDataType.Float => tensor.AsSpan<float>()[i].ToString("R", CultureInfo.InvariantCulture),
        TensorDataType.Double => tensor.AsSpan<double>()[i].ToString("R", CultureInfo.InvariantCulture),
        TensorDataType.Float16 => ((float)tensor.AsSpan<Half>()[i]).ToString("R", CultureInfo.InvariantCulture),
        TensorDataType.BFloat16 => BFloat16.ToSingle(tensor.AsSpan<ushort>()[i]).ToString("R", CultureInfo.InvariantCulture),
        TensorDataType.Int8 => tensor.AsSpan<sbyte>()[i].ToString(CultureInfo.InvariantCulture),
        TensorDataType.Int16 => tensor.AsSpan<short>()[i].ToString(CultureInfo.InvariantCulture),
        TensorDataType.Int32 => tensor.AsSpan<int>()[i].ToString(CultureInfo.InvariantCulture),
        TensorDataType.Int64 => tensor.AsSpan<long>()[i].ToString(CultureInfo.InvariantCulture),
        TensorDataType.UInt8 => tensor.Bytes[i].ToString(CultureInfo.InvariantCulture),
        TensorDataType.UInt16 => tensor.AsSpan<ushort>()[i].ToString(CultureInfo.InvariantCulture),
        TensorDataType.UInt32 => tensor.AsSpan<uint>()[i].ToString(CultureInfo.InvariantCulture),
        TensorDataType.UInt64 => tensor.AsSpan<ulong>()[i].ToString(CultureInfo.InvariantCulture),
        TensorDataType.Bool => tensor.Bytes[i] != 0 ? "1" : "0",
        _ => throw new ArgumentOutOfRangeException(nameof(tensor)),
    };
}
