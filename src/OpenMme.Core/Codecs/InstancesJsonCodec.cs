using System.Text.Json;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// TF-Serving style JSON for single-input models: <c>{"instances":[...]}</c> (nested arrays,
/// the shape taken from the nesting) in, <c>{"predictions":[...]}</c> out.
/// </summary>
internal static class InstancesJsonCodec
{
    public static TensorSet ReadInstances(ReadOnlySpan<byte> json, ModelSignature signature, JsonReaderOptions readerOptions)
    {
        if (signature.Inputs.Count != 1)
        {
            throw CodecErrors.Rejected($"\"instances\" needs a model with one input; this one has {signature.Inputs.Count}. Send KServe v2 \"inputs\" instead.", signature);
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

    public static void WritePredictions(Utf8JsonWriter writer, TensorSet outputs)
    {
        writer.WritePropertyName("predictions"u8);
        if (outputs.Count == 1)
        {
            JsonTensorWriter.WriteNested(writer, outputs[0], outputs[0].Shape, 0);
            return;
        }

        // Several outputs: one object per instance, as TF-Serving's row format does.
        var rows = outputs.Count > 0 && outputs[0].Shape.Length > 0 ? outputs[0].Shape[0] : 1;
        writer.WriteStartArray();
        for (long row = 0; row < rows; row++)
        {
            writer.WriteStartObject();
            for (var i = 0; i < outputs.Count; i++)
            {
                var tensor = outputs[i];
                writer.WritePropertyName(tensor.Name);
                var inner = tensor.Shape.Length > 0 ? tensor.Shape.AsSpan(1) : [];
                JsonTensorWriter.WriteNested(writer, tensor, inner, tensor.Shape.Length > 0 ? row * Tensor.ElementCountOf(inner) : 0);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
