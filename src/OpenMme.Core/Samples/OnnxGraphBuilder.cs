using System.Runtime.InteropServices;

namespace OpenMme.Samples;

/// <summary>
/// Writes an ONNX ModelProto (IR version 8, default opset 17, <c>ai.onnx.ml</c> opset 1 when a node
/// of that domain is used) field by field, following onnx.proto. Enough for the sample models:
/// inputs and outputs typed as tensors with symbolic batch dimensions or as sequences of maps
/// (ZipMap's), raw-data initializers, and nodes of any domain with int, string, list and tensor
/// attributes.
/// </summary>
internal sealed class OnnxGraphBuilder(string graphName)
{
    public const int Float = 1;
    public const int Int64 = 7;
    public const int String = 8;
    public const int Bool = 9;
    public const int Double = 11;

    /// <summary>The default domain: the ONNX operators.</summary>
    public const string OnnxDomain = "";

    /// <summary>The classic-ML operators (LinearClassifier, TreeEnsembleClassifier, ZipMap, ...).</summary>
    public const string MlDomain = "ai.onnx.ml";

    private const int DefaultOpset = 17;

    // ai.onnx.ml opset 1 holds every operator the classic samples use, at its first version, as
    // skl2onnx writes them for older runtimes.
    private const int MlOpset = 1;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private bool _usesMl;

    /// <summary>Adds a graph input; a negative dimension is the symbolic batch dimension <c>N</c>.</summary>
    public void Input(string name, int elementType, params long[] dims) => _inputs.Add(ValueInfo(name, TensorType(elementType, dims)));

    public void Output(string name, int elementType, params long[] dims) => _outputs.Add(ValueInfo(name, TensorType(elementType, dims)));

    /// <summary>Adds a graph output of type <c>seq(map(key, tensor(value)))</c>, as ZipMap writes a classifier's probabilities.</summary>
    public void MapSequenceOutput(string name, int keyType, int valueType)
    {
        // TypeProto.Map: key_type = 1, value_type = 2; the values are scalar tensors, written without a shape as skl2onnx does.
        var valueTensor = new ProtoWriter();
        valueTensor.Varint(1, valueType);
        var value = new ProtoWriter();
        value.Message(1, valueTensor);
        var map = new ProtoWriter();
        map.Varint(1, keyType);
        map.Message(2, value);
        var element = new ProtoWriter();
        element.Message(5, map);

        // TypeProto.Sequence: elem_type = 1; TypeProto: sequence_type = 4.
        var sequence = new ProtoWriter();
        sequence.Message(1, element);
        var type = new ProtoWriter();
        type.Message(4, sequence);
        _outputs.Add(ValueInfo(name, type));
    }

    public void Initializer<T>(string name, int elementType, long[] dims, ReadOnlySpan<T> values) where T : unmanaged =>
        _initializers.Add(TensorProto(name, elementType, dims, values));

    /// <summary>Adds an ONNX operator with int attributes.</summary>
    public void Node(string opType, string[] inputs, string[] outputs, params (string Name, long Value)[] intAttributes)
    {
        var attributes = new OnnxAttribute[intAttributes.Length];
        for (var i = 0; i < attributes.Length; i++)
        {
            attributes[i] = OnnxAttribute.Int(intAttributes[i].Name, intAttributes[i].Value);
        }

        Node(opType, OnnxDomain, inputs, outputs, attributes);
    }

    /// <summary>Adds an operator of <paramref name="domain"/> (<see cref="OnnxDomain"/> or <see cref="MlDomain"/>).</summary>
    public void Node(string opType, string domain, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
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
        foreach (var attribute in attributes)
        {
            node.Message(5, attribute.Message);
        }

        if (domain.Length > 0)
        {
            node.String(7, domain);
            _usesMl |= domain == MlDomain;
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

        var model = new ProtoWriter();
        model.Varint(1, 8);
        model.String(2, "openmme-samples");
        model.String(3, "1");
        model.Message(7, graph);
        model.Message(8, Opset(OnnxDomain, DefaultOpset));
        if (_usesMl)
        {
            model.Message(8, Opset(MlDomain, MlOpset));
        }

        return model.Written.ToArray();
    }

    /// <summary>A TensorProto holding <paramref name="values"/> as raw data (an initializer, or a tensor attribute's value).</summary>
    public static ProtoWriter TensorProto<T>(string name, int elementType, long[] dims, ReadOnlySpan<T> values) where T : unmanaged
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
        {
            tensor.Varint(1, dim);
        }

        tensor.Varint(2, elementType);
        if (name.Length > 0)
        {
            tensor.String(8, name);
        }

        tensor.Bytes(9, MemoryMarshal.AsBytes(values));
        return tensor;
    }

    private static ProtoWriter Opset(string domain, int version)
    {
        // OperatorSetIdProto: domain = 1, version = 2.
        var opset = new ProtoWriter();
        opset.String(1, domain);
        opset.Varint(2, version);
        return opset;
    }

    private static ProtoWriter TensorType(int elementType, long[] dims)
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
        return type;
    }

    private static ProtoWriter ValueInfo(string name, ProtoWriter type)
    {
        var info = new ProtoWriter();
        info.String(1, name);
        info.Message(2, type);
        return info;
    }
}
