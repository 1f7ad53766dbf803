using System.Buffers;
using System.Globalization;
using System.Text;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// <c>text/csv</c> as SageMaker's scikit-learn and XGBoost containers speak it: rows without a
/// header in, their columns feeding the inputs in order (<see cref="ColumnLayout"/>); numbers,
/// booleans and text cells (RFC 4180 quotes, <c>""</c> for a quote; a cell does not span lines).
/// The answer has one line per row: every output's values for that row, side by side in the
/// model's output order (a classifier's label, then its probabilities in class order).
/// </summary>
internal static class CsvCodec
{
    private const string Form = "text/csv";

    public static DecodedRequest Decode(ReadOnlySpan<byte> body, ModelSignature signature)
    {
        var layout = ColumnLayout.For(signature, Form);

        // First pass: count rows and columns, so the cells can be parsed straight into the tensors.
        var columns = -1;
        var rows = 0;
        for (var rest = body; !rest.IsEmpty;)
        {
            var line = NextLine(ref rest);
            if (line.IsEmpty)
            {
                continue;
            }

            var cells = 0;
            var done = false;
            while (NextCell(ref line, ref done, rows + 1, out _, out _))
            {
                cells++;
            }

            if (columns >= 0 && cells != columns)
            {
                throw CodecErrors.Malformed($"CSV row {rows + 1} has {cells} columns; earlier rows have {columns}.");
            }

            columns = cells;
            rows++;
        }

        var inputs = layout.Allocate(rows, Math.Max(columns, 0), Form);
        try
        {
            var row = 0;
            for (var rest = body; !rest.IsEmpty;)
            {
                var line = NextLine(ref rest);
                if (line.IsEmpty)
                {
                    continue;
                }

                var done = false;
                for (var column = 0; NextCell(ref line, ref done, row + 1, out var cell, out var quoted); column++)
                {
                    var (input, index) = layout.Cell(inputs, row, column);
                    if (!TryParse(input, index, cell, quoted))
                    {
                        throw CodecErrors.Malformed(
                            $"CSV row {row + 1} holds {CodecErrors.Quote(cell)} in column {column + 1}, which is not {TensorDataTypes.KServeName(input.Type)} (input {CodecErrors.Quote(input.Name)}).");
                    }
                }

                row++;
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
        // A lone scalar is one line of one value.
        var rows = outputs.Count == 1 && outputs[0].Kind == ValueKind.Tensor && outputs[0].Shape.Length == 0
            ? 1
            : OutputForms.Rows(outputs, Form, OutputForms.AllJson);
        for (var i = 0; i < outputs.Count; i++)
        {
            var value = outputs[i];
            var flat = value.Kind == ValueKind.Tensor ? value.Shape.Length <= 2 : value.Kind == ValueKind.MapSequence && value.Keys is not null;
            if (!flat)
            {
                throw CodecErrors.Unanswerable(value.Name, $"is {OutputForms.TypeText(value)}", "text/csv (rows of values)", OutputForms.AllJson);
            }
        }

        for (long row = 0; row < rows; row++)
        {
            var first = true;
            for (var i = 0; i < outputs.Count; i++)
            {
                var value = outputs[i];
                var width = value.Shape.Length == 2 ? value.Shape[1] : 1;
                for (long column = 0; column < width; column++)
                {
                    if (!first)
                    {
                        output.Write(","u8);
                    }

                    first = false;
                    WriteCell(output, value, checked((int)((row * width) + column)));
                }
            }

            output.Write("\n"u8);
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

    /// <summary>
    /// The next cell of the line, which moves past it and its comma; false after the last. A quoted
    /// cell comes back without its quotes, <c>""</c> still doubled. <paramref name="line"/> is
    /// null-terminated by <paramref name="done"/>: a line ending in a comma has one more, empty cell.
    /// </summary>
    private static bool NextCell(ref ReadOnlySpan<byte> line, ref bool done, int row, out ReadOnlySpan<byte> cell, out bool quoted)
    {
        cell = default;
        quoted = false;
        if (done)
        {
            return false;
        }

        quoted = !line.IsEmpty && line[0] == (byte)'"';
        var end = 0;
        if (quoted)
        {
            end = 1;
            while (true)
            {
                var quote = line[end..].IndexOf((byte)'"');
                if (quote < 0)
                {
                    throw CodecErrors.Malformed($"CSV row {row} has a quote that does not close on its line.");
                }

                end += quote + 1;
                if (end < line.Length && line[end] == (byte)'"')
                {
                    end++;
                    continue;
                }

                break;
            }

            cell = line[1..(end - 1)];
            if (end < line.Length && line[end] != (byte)',')
            {
                throw CodecErrors.Malformed($"CSV row {row} has text after a closing quote.");
            }
        }
        else
        {
            end = line.IndexOf((byte)',');
            end = end < 0 ? line.Length : end;
            cell = line[..end];
        }

        done = end >= line.Length;
        line = done ? default : line[(end + 1)..];
        return true;
    }

    private static bool TryParse(Tensor input, int i, ReadOnlySpan<byte> cell, bool quoted)
    {
        const NumberStyles Real = NumberStyles.Float;
        const NumberStyles Whole = NumberStyles.Integer;
        var invariant = CultureInfo.InvariantCulture;
        switch (input.Type)
        {
            case TensorDataType.String:
                var text = Encoding.UTF8.GetString(cell);
                input.Strings![i] = quoted ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
                return true;
            case TensorDataType.Float:
                return float.TryParse(cell, Real, invariant, out input.AsSpan<float>()[i]);
            case TensorDataType.Double:
                return double.TryParse(cell, Real, invariant, out input.AsSpan<double>()[i]);
            case TensorDataType.Float16:
                return Half.TryParse(cell, Real, invariant, out input.AsSpan<Half>()[i]);
            case TensorDataType.BFloat16:
                var parsed = float.TryParse(cell, Real, invariant, out var single);
                input.AsSpan<ushort>()[i] = BFloat16.FromSingle(single);
                return parsed;
            case TensorDataType.Int8:
                return sbyte.TryParse(cell, Whole, invariant, out input.AsSpan<sbyte>()[i]);
            case TensorDataType.Int16:
                return short.TryParse(cell, Whole, invariant, out input.AsSpan<short>()[i]);
            case TensorDataType.Int32:
                return int.TryParse(cell, Whole, invariant, out input.AsSpan<int>()[i]);
            case TensorDataType.Int64:
                return long.TryParse(cell, Whole, invariant, out input.AsSpan<long>()[i]);
            case TensorDataType.UInt8:
                return byte.TryParse(cell, Whole, invariant, out input.Bytes[i]);
            case TensorDataType.UInt16:
                return ushort.TryParse(cell, Whole, invariant, out input.AsSpan<ushort>()[i]);
            case TensorDataType.UInt32:
                return uint.TryParse(cell, Whole, invariant, out input.AsSpan<uint>()[i]);
            case TensorDataType.UInt64:
                return ulong.TryParse(cell, Whole, invariant, out input.AsSpan<ulong>()[i]);
            case TensorDataType.Bool:
                var trimmed = cell.Trim((byte)' ');
                var truth = trimmed.SequenceEqual("1"u8) || Ascii.EqualsIgnoreCase(trimmed, "true"u8);
                input.Bytes[i] = truth ? (byte)1 : (byte)0;
                return truth || trimmed.SequenceEqual("0"u8) || Ascii.EqualsIgnoreCase(trimmed, "false"u8);
            default:
                return false;
        }
    }

    private static void WriteCell(IBufferWriter<byte> output, Tensor value, int i)
    {
        if (value.Type == TensorDataType.String)
        {
            var text = value.Strings![i];
            var quote = text.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (text.Length > 0 && (text[0] == ' ' || text[^1] == ' '));
            var bytes = Encoding.UTF8.GetBytes(quote ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text);
            output.Write(bytes);
            return;
        }

        // The longest element ("-1.7976931348623157E+308") fits in 32 bytes.
        var span = output.GetSpan(32);
        output.Advance(Format(value, i, span));
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
