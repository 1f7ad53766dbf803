using System.Text.Json;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// TF-Serving style JSON: <c>{"instances":[...]}</c> in, <c>{"predictions":[...]}</c> out. An
/// instance is an object naming the inputs (<c>{"size":"small","sepal_length":5.1}</c>, as
/// skl2onnx names a DataFrame's columns), or, for a model with one input, nested arrays whose
/// nesting gives the shape, or, for several inputs, a flat row of cells split across them as
/// <see cref="ColumnLayout"/> says.
/// </summary>
internal static class InstancesJsonCodec
{
    private const string Form = "\"instances\"";

    public static TensorSet ReadInstances(ReadOnlySpan<byte> json, ModelSignature signature, JsonReaderOptions readerOptions)
    {
        var first = new Utf8JsonReader(json, readerOptions);
        first.Read();
        if (first.TokenType == JsonTokenType.StartArray && first.Read() && first.TokenType == JsonTokenType.StartObject)
        {
            return ReadNamedRows(json, signature, readerOptions);
        }

        if (signature.Inputs.Count != 1)
        {
            return first.TokenType == JsonTokenType.StartArray || first.TokenType == JsonTokenType.EndArray
                ? ReadCellRows(json, signature, readerOptions)
                : throw CodecErrors.Malformed("\"instances\" must be an array of instances.");
        }

        var spec = signature.Inputs[0];
        var shape = NestedShape.Measure(json, spec.Name);
        if (!spec.Accepts(shape))
        {
            throw CodecErrors.Rejected($"\"instances\" have shape {CodecErrors.Shape(shape)}, which the model does not accept.", signature);
        }

        var inputs = new TensorSet(1);
        try
        {
            var tensor = Tensor.Allocate(spec.Name, spec.Type, shape);
            inputs.Add(tensor);
            var reader = new Utf8JsonReader(json, readerOptions);
            reader.Read();
            JsonTensorReader.ReadData(ref reader, tensor);
            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    /// <summary>Instances as objects naming the inputs; each input is 1-D (one value per instance) or 2-D (a value or an array per instance).</summary>
    private static TensorSet ReadNamedRows(ReadOnlySpan<byte> json, ModelSignature signature, JsonReaderOptions readerOptions)
    {
        var count = signature.Inputs.Count;
        var widths = new int[count];
        for (var i = 0; i < count; i++)
        {
            var spec = signature.Inputs[i];
            widths[i] = spec.Shape.Length switch
            {
                1 => 1,
                2 => spec.Shape[1] >= 0 ? checked((int)spec.Shape[1]) : -1,
                _ => throw CodecErrors.Rejected($"Instances that name their inputs feed 1-D and 2-D inputs; {CodecErrors.Quote(spec.Name)} is {spec.TypeText()}. Send KServe v2 \"inputs\" instead.", signature),
            };
        }

        // First pass: count the instances and check each names every input once, with the right number of values.
        var rows = 0;
        var reader = new Utf8JsonReader(json, readerOptions);
        reader.Read();
        Span<bool> seen = count <= 64 ? stackalloc bool[count] : new bool[count];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw CodecErrors.Malformed($"Instance {rows + 1} is not an object; when the first instance names its inputs, every one must.");
            }

            seen.Clear();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var input = FindInput(ref reader, signature, rows);
                if (seen[input])
                {
                    throw CodecErrors.Malformed($"Instance {rows + 1} names input {CodecErrors.Quote(signature.Inputs[input].Name)} twice.");
                }

                seen[input] = true;
                reader.Read();
                var values = CountValues(ref reader, signature.Inputs[input].Name, rows);
                if (widths[input] < 0)
                {
                    widths[input] = values;
                }

                if (values != widths[input])
                {
                    throw CodecErrors.Rejected($"Instance {rows + 1} gives input {CodecErrors.Quote(signature.Inputs[input].Name)} {values} values; it takes {widths[input]}.", signature);
                }
            }

            var missing = seen.IndexOf(false);
            if (missing >= 0)
            {
                throw CodecErrors.Rejected($"Instance {rows + 1} lacks input {CodecErrors.Quote(signature.Inputs[missing].Name)}.", signature);
            }

            rows++;
        }

        var inputs = new TensorSet(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var spec = signature.Inputs[i];
                inputs.Add(Tensor.Allocate(spec.Name, spec.Type, spec.Shape.Length == 1 ? [rows] : [rows, Math.Max(widths[i], 0)]));
            }

            // Second pass: the values, straight into the tensors.
            reader = new Utf8JsonReader(json, readerOptions);
            reader.Read();
            for (var row = 0; reader.Read() && reader.TokenType == JsonTokenType.StartObject; row++)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var input = FindInput(ref reader, signature, row);
                    var tensor = inputs[input];
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        JsonTensorReader.ReadElement(ref reader, tensor, (long)row * widths[input]);
                        continue;
                    }

                    for (var column = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; column++)
                    {
                        JsonTensorReader.ReadElement(ref reader, tensor, ((long)row * widths[input]) + column);
                    }
                }
            }

            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    /// <summary>Instances as flat rows of cells, split across a model's several inputs.</summary>
    private static TensorSet ReadCellRows(ReadOnlySpan<byte> json, ModelSignature signature, JsonReaderOptions readerOptions)
    {
        var layout = ColumnLayout.For(signature, Form);
        var rows = 0;
        var columns = -1;
        var reader = new Utf8JsonReader(json, readerOptions);
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw CodecErrors.Rejected($"Instance {rows + 1} is a single value; for a model with {signature.Inputs.Count} inputs send each instance as an object naming them, or as a flat array of {Math.Max(layout.Width, 0)} cells.", signature);
            }

            var cells = CountValues(ref reader, "(row)", rows);
            if (columns >= 0 && cells != columns)
            {
                throw CodecErrors.Malformed($"Instance {rows + 1} has {cells} cells; earlier instances have {columns}.");
            }

            columns = cells;
            rows++;
        }

        var inputs = layout.Allocate(rows, Math.Max(columns, 0), Form);
        try
        {
            reader = new Utf8JsonReader(json, readerOptions);
            reader.Read();
            for (var row = 0; reader.Read() && reader.TokenType == JsonTokenType.StartArray; row++)
            {
                for (var column = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; column++)
                {
                    var (input, index) = layout.Cell(inputs, row, column);
                    JsonTensorReader.ReadElement(ref reader, input, index);
                }
            }

            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    private static int FindInput(ref Utf8JsonReader reader, ModelSignature signature, int row)
    {
        JsonText.CheckName(ref reader);
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            if (reader.ValueTextEquals(signature.Inputs[i].Name))
            {
                return i;
            }
        }

        throw CodecErrors.Rejected($"Instance {row + 1} names {CodecErrors.Quote(JsonText.GetString(ref reader))}, which is not an input of the model.", signature);
    }

    /// <summary>Values at the reader: 1 for a value, the count for an array of values; the reader ends on the last token.</summary>
    private static int CountValues(ref Utf8JsonReader reader, string name, int row)
    {
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            throw CodecErrors.Malformed($"Instance {row + 1} gives {CodecErrors.Quote(name)} an object; give a value or an array of values.");
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return 1;
        }

        var values = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
            {
                throw CodecErrors.Malformed($"Instance {row + 1} nests arrays in {CodecErrors.Quote(name)}; give a value or a flat array of values.");
            }

            values++;
        }

        return values;
    }

    public static void WritePredictions(Utf8JsonWriter writer, TensorSet outputs)
    {
        writer.WritePropertyName("predictions"u8);
        if (outputs.Count == 1)
        {
            JsonTensorWriter.WriteValue(writer, outputs[0]);
            return;
        }

        // Several outputs: one object per instance, as TF-Serving's row format does, e.g.
        // {"label":"setosa","probabilities":{"setosa":0.97,...}} for a classifier.
        var rows = OutputForms.Rows(outputs, "an answer of one object per instance", "KServe v2 JSON (send {\"inputs\":[...]})");
        writer.WriteStartArray();
        for (long row = 0; row < rows; row++)
        {
            writer.WriteStartObject();
            for (var i = 0; i < outputs.Count; i++)
            {
                writer.WritePropertyName(OutputForms.RowName(outputs, outputs[i].Name));
                JsonTensorWriter.WriteRow(writer, outputs[i], row);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
