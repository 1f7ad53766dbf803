using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// <c>application/json</c> bodies: the KServe v2 protocol (<c>{"inputs":[...]}</c> →
/// <c>{"model_name","outputs"}</c>) and, through <see cref="InstancesJsonCodec"/>, TF-Serving's
/// <c>{"instances":[...]}</c> → <c>{"predictions":[...]}</c>. The body is scanned once for its
/// structure; tensor data is then parsed straight into buffers of the declared size.
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
            throw CodecErrors.Invalid($"The request body is empty. Send KServe v2 JSON: {KServeExample}.");
        }

        try
        {
            return DecodeStrict(body, signature);
        }
        catch (JsonException e)
        {
            if (NonFiniteJson.TryRewrite(body, out var rewritten))
            {
                try
                {
                    return DecodeStrict(rewritten, signature);
                }
                catch (JsonException)
                {
                }
            }

            throw CodecErrors.Invalid($"The request body is not valid JSON ({e.Message.Split('|', 2)[0].Trim()}). Send KServe v2 JSON: {KServeExample}.");
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

                WriteTensor(writer, tensor);
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

    private static DecodedRequest DecodeStrict(ReadOnlySpan<byte> body, ModelSignature signature)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw CodecErrors.Invalid("The request body must be a JSON object with \"inputs\" (KServe v2) or \"instances\".");
        }

        string? id = null;
        List<string>? requested = null;
        List<InputSlot>? inputs = null;
        var instances = (Start: -1, End: -1);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("inputs"u8))
            {
                inputs = ReadInputSlots(ref reader);
            }
            else if (reader.ValueTextEquals("instances"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                instances = (start, (int)reader.BytesConsumed);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw CodecErrors.Invalid("\"id\" must be a string.");
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                requested = ReadRequestedOutputs(ref reader, signature);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (inputs is not null)
        {
            return new DecodedRequest(ReadInputs(body, inputs, signature), PayloadFormat.KServeJson, id, requested);
        }

        if (instances.Start >= 0)
        {
            return new DecodedRequest(InstancesJsonCodec.ReadInstances(body[instances.Start..instances.End], signature, ReaderOptions), PayloadFormat.InstancesJson, null, null);
        }

        throw CodecErrors.Invalid("The request body has neither \"inputs\" (KServe v2) nor \"instances\".");
    }

    private static List<InputSlot> ReadInputSlots(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw CodecErrors.Invalid("\"inputs\" must be an array of {\"name\",\"shape\",\"datatype\",\"data\"} objects.");
        }

        var slots = new List<InputSlot>(2);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var slot = new InputSlot();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    slot.Name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("datatype"u8))
                {
                    reader.Read();
                    slot.DataType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("shape"u8))
                {
                    slot.Shape = ReadShape(ref reader);
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    slot.DataStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    slot.DataEnd = (int)reader.BytesConsumed;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            slots.Add(slot);
        }

        return slots;
    }

    private static long[]? ReadShape(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        var shape = new List<long>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw CodecErrors.Invalid("\"shape\" must be an array of non-negative integers.");
            }

            shape.Add(dim);
        }

        return [.. shape];
    }

    private static List<string> ReadRequestedOutputs(ref Utf8JsonReader reader, ModelSignature signature)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw CodecErrors.Invalid("\"outputs\" must be an array of {\"name\":...} objects.");
        }

        var names = new List<string>(2);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("name"u8);
                reader.Read();
                if (isName && reader.TokenType == JsonTokenType.String)
                {
                    var name = reader.GetString()!;
                    if (!HasOutput(signature, name))
                    {
                        throw CodecErrors.Rejected($"Requested output '{name}' is not an output of the model.", signature);
                    }

                    names.Add(name);
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return names;
    }

    private static TensorSet ReadInputs(ReadOnlySpan<byte> body, List<InputSlot> slots, ModelSignature signature)
    {
        var inputs = new TensorSet(slots.Count);
        try
        {
            foreach (var slot in slots)
            {
                if (slot.Name is null || slot.DataType is null || slot.Shape is null || slot.DataStart < 0)
                {
                    throw CodecErrors.Invalid("Every input needs \"name\", \"shape\", \"datatype\" and \"data\".");
                }

                if (inputs.Find(slot.Name) is not null)
                {
                    throw CodecErrors.Invalid($"Input '{slot.Name}' appears twice.");
                }

                var spec = signature.FindInput(slot.Name)
                    ?? throw CodecErrors.Rejected($"'{slot.Name}' is not an input of the model.", signature);
                if (!TensorDataTypes.TryParseKServeName(slot.DataType, out var type))
                {
                    throw CodecErrors.Invalid($"Input '{slot.Name}' has unknown datatype '{slot.DataType}'.");
                }

                if (type != spec.Type)
                {
                    throw CodecErrors.Rejected($"Input '{slot.Name}' is {slot.DataType}, but the model takes {TensorDataTypes.KServeName(spec.Type)}.", signature);
                }

                if (!spec.Accepts(slot.Shape))
                {
                    throw CodecErrors.Rejected($"Input '{slot.Name}' has shape {JsonTensorReader.Shape(slot.Shape)}, which the model does not accept.", signature);
                }

                CheckPlausibleSize(slot.Name, slot.Shape, body.Length);
                var tensor = Tensor.Allocate(slot.Name, type, slot.Shape);
                inputs.Add(tensor);
                var data = new Utf8JsonReader(body[slot.DataStart..slot.DataEnd], ReaderOptions);
                data.Read();
                JsonTensorReader.ReadData(ref data, tensor);
            }

            foreach (var spec in signature.Inputs)
            {
                if (inputs.Find(spec.Name) is null)
                {
                    throw CodecErrors.Rejected($"Input '{spec.Name}' is missing.", signature);
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

    private static void CheckPlausibleSize(string name, long[] shape, int bodyLength)
    {
        // Every element takes at least one byte of JSON, so a larger shape cannot be honest.
        long count;
        try
        {
            count = Tensor.ElementCountOf(shape);
        }
        catch (OverflowException)
        {
            count = long.MaxValue;
        }

        if (count > bodyLength)
        {
            throw CodecErrors.Invalid($"Input '{name}' declares shape {JsonTensorReader.Shape(shape)} ({count} values), more than a {bodyLength}-byte body can hold.");
        }
    }

    private static bool HasOutput(ModelSignature signature, string name)
    {
        foreach (var output in signature.Outputs)
        {
            if (output.Name == name)
            {
                return true;
            }
        }

        return false;
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

    private sealed class InputSlot
    {
        public string? Name { get; set; }

        public string? DataType { get; set; }

        public long[]? Shape { get; set; }

        public int DataStart { get; set; } = -1;

        public int DataEnd { get; set; } = -1;
    }
}
