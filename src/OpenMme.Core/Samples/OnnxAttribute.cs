namespace OpenMme.Samples;

/// <summary>
/// One node attribute as an ONNX AttributeProto (onnx.proto: name = 1, i = 3, s = 4, t = 5, floats = 7,
/// ints = 8, strings = 9, type = 20). Lists are written unpacked, as proto2 writes
/// them; protobuf readers take either form.
/// </summary>
internal sealed class OnnxAttribute
{
    // AttributeProto.AttributeType.
    private const int IntType = 2;
    private const int StringType = 3;
    private const int TensorType = 4;
    private const int FloatsType = 6;
    private const int IntsType = 7;
    private const int StringsType = 8;

    private OnnxAttribute(ProtoWriter message) => Message = message;

    /// <summary>The serialized AttributeProto.</summary>
    public ProtoWriter Message { get; }

    public static OnnxAttribute Int(string name, long value)
    {
        var attribute = Start(name);
        attribute.Varint(3, value);
        return Finish(attribute, IntType);
    }

    public static OnnxAttribute String(string name, string value)
    {
        var attribute = Start(name);
        attribute.String(4, value);
        return Finish(attribute, StringType);
    }

    public static OnnxAttribute Ints(string name, IReadOnlyList<long> values)
    {
        var attribute = Start(name);
        foreach (var value in values)
        {
            attribute.Varint(8, value);
        }

        return Finish(attribute, IntsType);
    }

    /// <summary>A float list; the values are rounded to float, as the model stores them.</summary>
    public static OnnxAttribute Floats(string name, IReadOnlyList<double> values)
    {
        var attribute = Start(name);
        foreach (var value in values)
        {
            attribute.Float(7, (float)value);
        }

        return Finish(attribute, FloatsType);
    }

    public static OnnxAttribute Strings(string name, IReadOnlyList<string> values)
    {
        var attribute = Start(name);
        foreach (var value in values)
        {
            attribute.String(9, value);
        }

        return Finish(attribute, StringsType);
    }

    public static OnnxAttribute Tensor<T>(string name, int elementType, long[] dims, ReadOnlySpan<T> values) where T : unmanaged
    {
        var attribute = Start(name);
        attribute.Message(5, OnnxGraphBuilder.TensorProto(string.Empty, elementType, dims, values));
        return Finish(attribute, TensorType);
    }

    private static ProtoWriter Start(string name)
    {
        var attribute = new ProtoWriter();
        attribute.String(1, name);
        return attribute;
    }

    private static OnnxAttribute Finish(ProtoWriter attribute, int type)
    {
        attribute.Varint(20, type);
        return new OnnxAttribute(attribute);
    }
}
