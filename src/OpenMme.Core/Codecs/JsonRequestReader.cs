using System.Text.Json;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// Reads the object of a JSON request: KServe v2 <c>inputs</c> (with <c>id</c> and an
/// <c>outputs</c> filter) or TF-Serving <c>instances</c>. The object is scanned once for its
/// structure, each input's data only marked; the data is then parsed straight into tensors of
/// the declared size. A field given twice, both <c>inputs</c> and <c>instances</c>, or anything
/// after the object is refused: the request would be ambiguous.
/// </summary>
internal static class JsonRequestReader
{
    /// <summary>Reads one request object; JSON syntax errors surface as <see cref="JsonException"/> for the caller to word.</summary>
    public static DecodedRequest Read(ReadOnlySpan<byte> body, ModelSignature signature, JsonReaderOptions readerOptions)
    {
        var reader = new Utf8JsonReader(body, readerOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw CodecErrors.Malformed("The request body must be a JSON object with \"inputs\" (KServe v2) or \"instances\".");
        }

        string? id = null;
        List<string>? requested = null;
        List<InputSlot>? inputs = null;
        var instances = (Start: -1, End: -1);
        var seen = Fields.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            JsonText.CheckName(ref reader);
            if (reader.ValueTextEquals("inputs"u8))
            {
                Once(ref seen, Fields.Inputs, "The request body has \"inputs\" twice.");
                inputs = ReadInputSlots(ref reader);
            }
            else if (reader.ValueTextEquals("instances"u8))
            {
                Once(ref seen, Fields.Instances, "The request body has \"instances\" twice.");
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                instances = (start, (int)reader.BytesConsumed);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                Once(ref seen, Fields.Id, "The request body has \"id\" twice.");
                reader.Read();
                id = reader.TokenType == JsonTokenType.String ? JsonText.GetString(ref reader) : throw CodecErrors.Malformed("\"id\" must be a string.");
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                Once(ref seen, Fields.Outputs, "The request body has \"outputs\" twice.");
                requested = ReadRequestedOutputs(ref reader, signature);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // The object has ended; one document is one request, so only whitespace may follow. The
        // reader throws for anything else, and that is a JSON error like any other.
        if (reader.Read())
        {
            throw CodecErrors.Malformed("The request body holds more than one JSON document.");
        }

        if (inputs is not null && instances.Start >= 0)
        {
            throw CodecErrors.Malformed("The request body has both \"inputs\" (KServe v2) and \"instances\"; send one of them.");
        }

        if (inputs is not null)
        {
            return new DecodedRequest(ReadInputs(body, inputs, signature, readerOptions), PayloadFormat.KServeJson, id, requested);
        }

        if (instances.Start >= 0)
        {
            return new DecodedRequest(InstancesJsonCodec.ReadInstances(body[instances.Start..instances.End], signature, readerOptions), PayloadFormat.InstancesJson, null, null);
        }

        throw CodecErrors.Malformed("The request body has neither \"inputs\" (KServe v2) nor \"instances\".");
    }

    private static List<InputSlot> ReadInputSlots(ref Utf8JsonReader reader)
    {
        const string Expected = "\"inputs\" must be an array of {\"name\",\"shape\",\"datatype\",\"data\"} objects.";
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw CodecErrors.Malformed(Expected);
        }

        var slots = new List<InputSlot>(2);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var slot = new InputSlot();
            var seen = Fields.None;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                JsonText.CheckName(ref reader);
                if (reader.ValueTextEquals("name"u8))
                {
                    Once(ref seen, Fields.Name, "An input has \"name\" twice.");
                    reader.Read();
                    slot.Name = reader.TokenType == JsonTokenType.String ? JsonText.GetString(ref reader) : throw CodecErrors.Malformed("An input's \"name\" must be a string.");
                }
                else if (reader.ValueTextEquals("datatype"u8))
                {
                    Once(ref seen, Fields.DataType, "An input has \"datatype\" twice.");
                    reader.Read();
                    slot.DataType = reader.TokenType == JsonTokenType.String ? JsonText.GetString(ref reader) : throw CodecErrors.Malformed("An input's \"datatype\" must be a string such as \"FP32\".");
                }
                else if (reader.ValueTextEquals("shape"u8))
                {
                    Once(ref seen, Fields.Shape, "An input has \"shape\" twice.");
                    slot.Shape = ReadShape(ref reader);
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    Once(ref seen, Fields.Parameters, "An input has \"parameters\" twice.");
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw CodecErrors.Malformed("An input's \"parameters\" must be an object.");
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        JsonText.CheckName(ref reader);
                        var isKeys = reader.ValueTextEquals("keys"u8);
                        reader.Read();
                        if (isKeys)
                        {
                            slot.KeysStart = (int)reader.TokenStartIndex;
                            reader.Skip();
                            slot.KeysEnd = (int)reader.BytesConsumed;
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    Once(ref seen, Fields.Data, "An input has \"data\" twice.");
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

        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw CodecErrors.Malformed(Expected);
        }

        return slots;
    }

    private static long[] ReadShape(ref Utf8JsonReader reader)
    {
        const string Expected = "An input's \"shape\" must be an array of non-negative integers.";
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw CodecErrors.Malformed(Expected);
        }

        var shape = new List<long>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw CodecErrors.Malformed(Expected);
            }

            shape.Add(dim);
        }

        return [.. shape];
    }

    private static List<string> ReadRequestedOutputs(ref Utf8JsonReader reader, ModelSignature signature)
    {
        const string Expected = "\"outputs\" must be an array of {\"name\":...} objects.";
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw CodecErrors.Malformed(Expected);
        }

        var names = new List<string>(2);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                JsonText.CheckName(ref reader);
                var isName = reader.ValueTextEquals("name"u8);
                reader.Read();
                if (isName && reader.TokenType == JsonTokenType.String)
                {
                    var name = JsonText.GetString(ref reader);
                    if (!HasOutput(signature, name))
                    {
                        throw CodecErrors.Rejected($"Requested output {CodecErrors.Quote(name)} is not an output of the model.", signature);
                    }

                    names.Add(name);
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw CodecErrors.Malformed(Expected);
        }

        return names;
    }

    private static TensorSet ReadInputs(ReadOnlySpan<byte> body, List<InputSlot> slots, ModelSignature signature, JsonReaderOptions readerOptions)
    {
        var inputs = new TensorSet(slots.Count);
        try
        {
            foreach (var slot in slots)
            {
                if (slot.Name is null || slot.DataType is null || slot.Shape is null || slot.DataStart < 0)
                {
                    throw CodecErrors.Malformed("Every input needs \"name\", \"shape\", \"datatype\" and \"data\".");
                }

                if (inputs.Find(slot.Name) is not null)
                {
                    throw CodecErrors.Malformed($"Input {CodecErrors.Quote(slot.Name)} appears twice.");
                }

                var spec = signature.FindInput(slot.Name)
                    ?? throw CodecErrors.Rejected($"{CodecErrors.Quote(slot.Name)} is not an input of the model.", signature);
                if (!TensorDataTypes.TryParseKServeName(slot.DataType, out var type))
                {
                    throw CodecErrors.Malformed($"Input {CodecErrors.Quote(slot.Name)} has unknown datatype {CodecErrors.Quote(slot.DataType)}.");
                }

                if (type != spec.Type)
                {
                    throw CodecErrors.Rejected($"Input {CodecErrors.Quote(slot.Name)} is {TensorDataTypes.KServeName(type)}, but the model takes {TensorDataTypes.KServeName(spec.Type)}.", signature);
                }

                if (spec.Kind == ValueKind.Map ? slot.Shape.Length != 1 || slot.KeysStart < 0 : !spec.Accepts(slot.Shape))
                {
                    throw CodecErrors.Rejected(spec.Kind == ValueKind.Map
                        ? $"Input {CodecErrors.Quote(slot.Name)} is a map: send its values with shape [C] and its keys as \"parameters\":{{\"keys\":[...]}}."
                        : $"Input {CodecErrors.Quote(slot.Name)} has shape {CodecErrors.Shape(slot.Shape)}, which the model does not accept.", signature);
                }

                CheckPlausibleSize(slot.Name, slot.Shape, body.Length);
                var tensor = Tensor.Allocate(slot.Name, type, slot.Shape);
                inputs.Add(tensor);
                var data = new Utf8JsonReader(body[slot.DataStart..slot.DataEnd], readerOptions);
                data.Read();
                JsonTensorReader.ReadData(ref data, tensor);
                if (spec.Kind == ValueKind.Map)
                {
                    var keys = Tensor.Allocate(slot.Name, spec.KeyType, slot.Shape);
                    try
                    {
                        var keyData = new Utf8JsonReader(body[slot.KeysStart..slot.KeysEnd], readerOptions);
                        keyData.Read();
                        JsonTensorReader.ReadData(ref keyData, keys);
                    }
                    catch
                    {
                        keys.Dispose();
                        throw;
                    }

                    Tensor.WithKeys(tensor, keys, ValueKind.Map);
                }
            }

            foreach (var spec in signature.Inputs)
            {
                if (inputs.Find(spec.Name) is null)
                {
                    throw CodecErrors.Rejected($"Input {CodecErrors.Quote(spec.Name)} is missing.", signature);
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
            throw CodecErrors.Malformed($"Input {CodecErrors.Quote(name)} declares shape {CodecErrors.Shape(shape)} ({(count == long.MaxValue ? "too many" : count)} values), more than a {bodyLength}-byte body can hold.");
        }
    }

    private static void Once(ref Fields seen, Fields field, string twice)
    {
        if ((seen & field) != 0)
        {
            throw CodecErrors.Malformed(twice);
        }

        seen |= field;
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

    private sealed class InputSlot
    {
        public string? Name { get; set; }

        public string? DataType { get; set; }

        public long[]? Shape { get; set; }

        public int DataStart { get; set; } = -1;

        public int DataEnd { get; set; } = -1;

        public int KeysStart { get; set; } = -1;

        public int KeysEnd { get; set; } = -1;
    }

    /// <summary>Fields of the request object and of an input object already read: a second one is ambiguous.</summary>
    [Flags]
    private enum Fields
    {
        None = 0,
        Inputs = 1,
        Instances = 2,
        Id = 4,
        Outputs = 8,
        Name = 16,
        DataType = 32,
        Shape = 64,
        Data = 128,
        Parameters = 256,
    }
}
