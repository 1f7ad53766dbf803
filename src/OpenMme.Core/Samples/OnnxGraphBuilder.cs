using System.Runtime.InteropServices;

namespace OpenMme.Samples;

/// <summary>
/// Writes an ONNX ModelProto (IR version 8, default opset 17) field by field, following
/// onnx.proto. Enough for the sample models: typed inputs and outputs with symbolic batch
/// dimensions, raw-data initializers and nodes with int attributes.
/// </summary>
internal sealed class OnnxGraphBuilder(string graphName)
{
    public const int Float = 1;
    public const int Int64 = 7;
    public const int Bool = 9;
    public const int Double = 11;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];

    /// <summary>Adds a graph input; a negative dimension is the symbolic batch dimension <c>N</c>.</summary>
    public void Input(string name, int elementType, params long[] dims) => _inputs.Add(ValueInfo(name, elementType, dims));

    public void Output(string name, int elementType, params long[] dims) => _outputs.Add(ValueInfo(name, elementType, dims));

    public void Initializer<T>(string name, int elementType, long[] dims, ReadOnlySpan<T> values) where T : unmanaged
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
        {
            tensor.Varint(1, dim);
        }

        tensor.Varint(2, elementType);
        tensor.String(8, name);
        tensor.Bytes(9, MemoryMarshal.AsBytes(values));
        _initializers.Add(tensor);
    }

    public void Node(string opType, string[] inputs, string[] outputs, params (string Name, long Value)[] intAttributes)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        foreach (var output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, $"{opType}_{_nodes.Count}");
        node.String(4, opType);
        foreach (var (name, value) in intAttributes)
        {
            var attribute = new ProtoWriter();
            attribute.String(1, name);
            attribute.Varint(3, value);
            attribute.Varint(20, 2);
            node.Message(5, attribute);
        }

        _nodes.Add(node);
    }

    public byte[] Build()
    {
        var graph = new ProtoWriter();
        foreach (var node in _nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, graphName);
        foreach (var initializer in _initializers)
        {
            graph.Message(5, initializer);
        }

        foreach (var input in _inputs)
        {
            graph.Message(11, input);
        }

        foreach (var output in _outputs)
        {
            graph.Message(12, output);
        }

        var opset = new ProtoWriter();
        opset.String(1, string.Empty);
        opset.Varint(2, 17);

        var model = new ProtoWriter();
        model.Varint(1, 8);
        model.String(2, "openmme-samples");
        model.String(3, "1");
        model.Message(7, graph);
        model.Message(8, opset);
        return model.Written.ToArray();
    }

    private static ProtoWriter ValueInfo(string name, int elementType, long[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var dim in dims)
        {
            var dimension = new ProtoWriter();
            if (dim < 0)
            {
                dimension.String(2, "N");
            }
            else
            {
                dimension.Varint(1, dim);
            }

            shape.Message(1, dimension);
        }

        var tensorType = new ProtoWriter();
        tensorType.Varint(1, elementType);
        tensorType.Message(2, shape);
        var type = new ProtoWriter();
        type.Message(1, tensorType);
        var info = new ProtoWriter();
        info.String(1, name);
        info.Message(2, type);
        return info;
    }
}
