using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using OpenMme.Failures;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// <c>application/json</c> bodies: the KServe v2 protocol (<c>{"inputs":[...]}</c> →
/// <c>{"model_name","outputs"}</c>) and, through <see cref="InstancesJsonCodec"/>, TF-Serving's
/// <c>{"instances":[...]}</c> → <c>{"predictions":[...]}</c>. A body is checked to be UTF-8 and
/// read by <see cref="JsonRequestReader"/>; Python's bare <c>NaN</c>/<c>Infinity</c> tokens, the
/// one deliberate leniency, are read from a rewritten copy when the strict read fails.
/// </summary>
internal static class JsonPayloadCodec
{
    private const string KServeExample = """{"inputs":[{"name":...,"shape":[...],"datatype":"FP32","data":[...]}]}""";

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    // Responses are application/json, never embedded in HTML: write UTF-8 text as it is.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static DecodedRequest Decode(ReadOnlySpan<byte> body, ModelSignature signature)
    {
        if (body.Trim((byte)' ').IsEmpty)
        {
            throw CodecErrors.Malformed($"The request body is empty. Send KServe v2 JSON: {KServeExample}.");
        }

        // JSON text is UTF-8 (RFC 8259). The reader checks bytes inside strings only when a string
        // is read, so check them all here, once: a vectorised pass, small beside the parse.
        if (!Utf8.IsValid(body))
        {
            throw NotUtf8(body);
        }

        try
        {
            return JsonRequestReader.Read(body, signature, ReaderOptions);
        }
        catch (JsonException e)
        {
            if (NonFiniteJson.TryRewrite(body, out var rewritten))
            {
                try
                {
                    return JsonRequestReader.Read(rewritten, signature, ReaderOptions);
                }
                catch (JsonException)
                {
                }
            }

            throw CodecErrors.Malformed($"The request body is not valid JSON: {Reason(e)} Send KServe v2 JSON: {KServeExample}.");
        }
    }

    public static void Encode(IBufferWriter<byte> output, string modelName, DecodedRequest request, TensorSet outputs, bool predictions)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        if (predictions)
        {
            InstancesJsonCodec.WritePredictions(writer, outputs);
        }
        else
        {
            writer.WriteString("model_name"u8, modelName);
            if (request.Id is not null)
            {
                writer.WriteString("id"u8, request.Id);
            }

            writer.WriteStartArray("outputs"u8);
            for (var i = 0; i < outputs.Count; i++)
            {
                var tensor = outputs[i];
                if (request.RequestedOutputs is { } wanted && !Contains(wanted, tensor.Name))
                {
                    continue;
                }

                WriteOutput(writer, tensor);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a KServe v2 request for <paramref name="inputs"/> (clients, samples, benchmarks).</summary>
    public static void EncodeRequest(IBufferWriter<byte> output, TensorSet inputs)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartArray("inputs"u8);
        for (var i = 0; i < inputs.Count; i++)
        {
            WriteTensor(writer, inputs[i]);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>One KServe v2 tensor object: name, shape, datatype, flat data.</summary>
    private static void WriteTensor(Utf8JsonWriter writer, Tensor tensor)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, tensor.Name);
        writer.WriteStartArray("shape"u8);
        foreach (var dim in tensor.Shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        writer.WriteString("datatype"u8, TensorDataTypes.KServeName(tensor.Type));
        writer.WritePropertyName("data"u8);
        JsonTensorWriter.WriteFlat(writer, tensor);
        writer.WriteEndObject();
    }

    /// <summary>
    /// One output as a KServe v2 tensor object. A map, or a sequence of maps sharing their keys, is
    /// its values ([C] or [N, C]) with <c>"parameters":{"onnx_type":...,"keys":[...]}</c>; a sequence
    /// of tensors of one shape is those tensors stacked ([N, ...]) with its <c>onnx_type</c>. Other
    /// sequences have no tensor form and answer in the <c>predictions</c> form only.
    /// </summary>
    private static void WriteOutput(Utf8JsonWriter writer, Tensor value)
    {
        if (value.Kind == ValueKind.Tensor)
        {
            WriteTensor(writer, value);
            return;
        }

        long[] shape;
        if (value.Elements is { } elements)
        {
            var first = elements.Count > 0 ? elements[0] : null;
            foreach (var element in elements)
            {
                if (element.Kind != ValueKind.Tensor || element.Type != first!.Type || !element.Shape.AsSpan().SequenceEqual(first.Shape))
                {
                    var differ = value.Kind == ValueKind.MapSequence ? "maps with different keys" : "tensors of different shapes";
                    throw CodecErrors.Unanswerable(value.Name, $"is a {OutputForms.TypeText(value)} of {differ}", "a KServe v2 output tensor", OutputForms.Instances);
                }
            }

            shape = [elements.Count, .. first?.Shape ?? []];
        }
        else
        {
            shape = value.Shape;
        }

        writer.WriteStartObject();
        writer.WriteString("name"u8, value.Name);
        writer.WriteStartArray("shape"u8);
        foreach (var dim in shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        writer.WriteString("datatype"u8, TensorDataTypes.KServeName(value.Type));
        writer.WritePropertyName("data"u8);
        if (value.Elements is { } parts)
        {
            writer.WriteStartArray();
            foreach (var part in parts)
            {
                for (var i = 0; i < part.ElementCount; i++)
                {
                    JsonTensorWriter.WriteElement(writer, part, i);
                }
            }

            writer.WriteEndArray();
        }
        else
        {
            JsonTensorWriter.WriteFlat(writer, value);
        }

        writer.WriteStartObject("parameters"u8);
        writer.WriteString("onnx_type"u8, OutputForms.TypeText(value));
        if (value.Keys is { } keys)
        {
            writer.WritePropertyName("keys"u8);
            JsonTensorWriter.WriteFlat(writer, keys);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The reader's complaint without its position suffix, which this message gives in its own words.</summary>
    private static string Reason(JsonException e)
    {
        var text = e.Message.AsSpan();
        var cut = text.IndexOf(" LineNumber:", StringComparison.Ordinal);
        text = (cut >= 0 ? text[..cut] : text).Trim();
        if (text.Length > 200)
        {
            text = text[..200];
        }

        return string.Create(CultureInfo.InvariantCulture, $"{text} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
    }

    private static ModelHostException NotUtf8(ReadOnlySpan<byte> body)
    {
        var at = 0;
        while (Rune.DecodeFromUtf8(body[at..], out _, out var consumed) == OperationStatus.Done)
        {
            at += consumed;
        }

        return CodecErrors.Malformed($"The request body is not valid UTF-8 (byte {at} starts no UTF-8 character); JSON text is UTF-8.");
    }

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return true;
            }
        }

        return false;
    }
}
