using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using OpenMme.Failures;

namespace OpenMme.Runtime.Onnx;

/// <summary>An ONNX Runtime session. Inputs are passed as OrtValues over the request's own buffers, without copies.</summary>
internal sealed class OnnxLoadedModel : ILoadedModel
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _sessionOptions;
    private readonly string[] _outputNames;
    private readonly OrtMemoryInfo _memory = OrtMemoryInfo.DefaultInstance;
    private readonly RunOptions _runOptions = new();

    public OnnxLoadedModel(InferenceSession session, SessionOptions sessionOptions)
    {
        _session = session;
        _sessionOptions = sessionOptions;
        Signature = new ModelSignature(Describe(session.InputMetadata, "input"), Describe(session.OutputMetadata, "output"));
        _outputNames = new string[Signature.Outputs.Count];
        for (var i = 0; i < _outputNames.Length; i++)
        {
            _outputNames[i] = Signature.Outputs[i].Name;
        }
    }

    public ModelSignature Signature { get; }

    public TensorSet Run(TensorSet inputs)
    {
        var names = new string[inputs.Count];
        var values = new OrtValue[inputs.Count];
        var pins = new MemoryHandle[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                names[i] = inputs[i].Name;
                values[i] = ToOrtValue(inputs[i], ref pins[i]);
            }

            using var outputs = _session.Run(_runOptions, names, values, _outputNames);
            var result = new TensorSet(outputs.Count);
            try
            {
                for (var i = 0; i < outputs.Count; i++)
                {
                    result.Add(FromOrtValue(Signature.Outputs[i], outputs[i]));
                }
            }
            catch
            {
                result.Dispose();
                throw;
            }

            return result;
        }
        catch (OnnxRuntimeException e)
        {
            var clientError = e.Message.Contains("InvalidArgument", StringComparison.Ordinal) || e.Message.Contains("INVALID_ARGUMENT", StringComparison.Ordinal);
            throw new ModelHostException(clientError ? FailureKind.ModelRejectedInput : FailureKind.ModelFailed,
                $"The model failed to run: {e.Message.Split('\n', 2)[0]} Expected {Signature}.", e);
        }
        finally
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i]?.Dispose();
                pins[i].Dispose();
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _sessionOptions.Dispose();
        _runOptions.Dispose();
    }

    private unsafe OrtValue ToOrtValue(Tensor tensor, ref MemoryHandle pin)
    {
        if (tensor.Kind == ValueKind.Map)
        {
            return ToOrtMap(tensor);
        }

        if (tensor.Type == TensorDataType.String)
        {
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
            var strings = tensor.Strings!;
            for (var i = 0; i < strings.Length; i++)
            {
                value.StringTensorSetElementAt(strings[i].AsSpan(), i);
            }

            return value;
        }

        pin = tensor.Buffer.AsMemory().Pin();
        return OrtValue.CreateTensorValueWithData(_memory, OnnxTypes.ToOnnx(tensor.Type), tensor.Shape, (nint)pin.Pointer, tensor.ByteLength);
    }

    /// <summary>A map input (DictVectorizer's, CastMap's): INT64 or BYTES keys, numeric or BYTES values, as ONNX Runtime builds maps.</summary>
    private static OrtValue ToOrtMap(Tensor map)
    {
        var keys = map.Keys!;
        return (keys.Type, map.Type) switch
        {
            (TensorDataType.String, TensorDataType.Float) => OrtValue.CreateMapWithStringKeys(keys.Strings!, map.AsSpan<float>().ToArray()),
            (TensorDataType.String, TensorDataType.Double) => OrtValue.CreateMapWithStringKeys(keys.Strings!, map.AsSpan<double>().ToArray()),
            (TensorDataType.String, TensorDataType.Int64) => OrtValue.CreateMapWithStringKeys(keys.Strings!, map.AsSpan<long>().ToArray()),
            (TensorDataType.Int64, TensorDataType.Float) => OrtValue.CreateMap(keys.AsSpan<long>().ToArray(), map.AsSpan<float>().ToArray()),
            (TensorDataType.Int64, TensorDataType.Double) => OrtValue.CreateMap(keys.AsSpan<long>().ToArray(), map.AsSpan<double>().ToArray()),
            (TensorDataType.Int64, TensorDataType.Int64) => OrtValue.CreateMap(keys.AsSpan<long>().ToArray(), map.AsSpan<long>().ToArray()),
            (TensorDataType.Int64, TensorDataType.String) => OrtValue.CreateMapWithStringValues(keys.AsSpan<long>().ToArray(), map.Strings!),
            _ => throw new ModelHostException(FailureKind.ModelRejectedInput,
                $"Input '{map.Name}' is a map({TensorDataTypes.KServeName(keys.Type)},{TensorDataTypes.KServeName(map.Type)}), which ONNX Runtime does not take."),
        };
    }

    /// <summary>Copies an output out of ONNX Runtime: a tensor, a map, or a sequence (see <see cref="Tensor"/> for the forms).</summary>
    private static Tensor FromOrtValue(TensorSpec spec, OrtValue value) => value.OnnxType switch
    {
        OnnxValueType.ONNX_TYPE_TENSOR => FromTensor(spec.Name, value),
        OnnxValueType.ONNX_TYPE_MAP => FromMap(spec.Name, value),
        OnnxValueType.ONNX_TYPE_SEQUENCE => FromSequence(spec, value),
        _ => throw new ModelHostException(FailureKind.ModelFailed, $"Output '{spec.Name}' is a {value.OnnxType}, which has no JSON form."),
    };

    private static Tensor FromTensor(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        if (!OnnxTypes.TryFromOnnx(info.ElementDataType, out var type))
        {
            throw new ModelHostException(FailureKind.ModelFailed, $"Output '{name}' has element type {info.ElementDataType}, which has no JSON form.");
        }

        if (type == TensorDataType.String)
        {
            return Tensor.FromStrings(name, info.Shape, value.GetStringTensorAsArray());
        }

        var tensor = Tensor.Allocate(name, type, info.Shape);
        value.GetTensorDataAsSpan<byte>().CopyTo(tensor.Bytes);
        return tensor;
    }

    private static Tensor FromMap(string name, OrtValue map)
    {
        using var keyValue = map.GetValue(0, OrtAllocator.DefaultInstance);
        using var valueValue = map.GetValue(1, OrtAllocator.DefaultInstance);
        var keys = FromTensor(name, keyValue);
        try
        {
            return Tensor.WithKeys(FromTensor(name, valueValue), keys, ValueKind.Map);
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    /// <summary>A sequence: maps that share their keys are stacked into one [N, C] tensor, anything else kept element by element.</summary>
    private static Tensor FromSequence(TensorSpec spec, OrtValue sequence)
    {
        var elements = new Tensor[sequence.GetValueCount()];
        var read = 0;
        try
        {
            for (; read < elements.Length; read++)
            {
                using var element = sequence.GetValue(read, OrtAllocator.DefaultInstance);
                elements[read] = FromOrtValue(spec, element);
            }

            if (spec.Kind == ValueKind.MapSequence && StackMaps(spec, elements) is { } stacked)
            {
                DisposeAll(elements);
                return stacked;
            }

            var kind = elements.Length > 0 && elements[0].Kind == ValueKind.Map ? ValueKind.MapSequence : ValueKind.TensorSequence;
            return Tensor.Sequence(spec.Name, kind, spec.Type, elements);
        }
        catch
        {
            DisposeAll(elements);
            throw;
        }
    }

    /// <summary>The maps' values as rows of one tensor under their shared keys, or null when their keys differ.</summary>
    private static Tensor? StackMaps(TensorSpec spec, Tensor[] maps)
    {
        var first = maps.Length > 0 ? maps[0] : null;
        var columns = first?.Keys?.Shape[0] ?? 0;
        foreach (var map in maps)
        {
            if (map.Kind != ValueKind.Map || map.Type != first!.Type || !SameKeys(map.Keys!, first.Keys!))
            {
                return null;
            }
        }

        var type = first?.Type ?? spec.Type;
        var keys = first is null ? Tensor.Allocate(spec.Name, spec.KeyType, [0]) : Copy(first.Keys!);
        var values = Tensor.Allocate(spec.Name, type, [maps.Length, columns]);
        for (var row = 0; row < maps.Length; row++)
        {
            if (type == TensorDataType.String)
            {
                maps[row].Strings!.CopyTo(values.Strings!, row * columns);
            }
            else
            {
                maps[row].Bytes.CopyTo(values.Bytes[(row * maps[row].ByteLength)..]);
            }
        }

        return Tensor.WithKeys(values, keys, ValueKind.MapSequence);
    }

    private static bool SameKeys(Tensor a, Tensor b) =>
        a.Type == b.Type && a.Shape[0] == b.Shape[0]
        && (a.Type == TensorDataType.String ? a.Strings.AsSpan().SequenceEqual(b.Strings) : a.Bytes.SequenceEqual(b.Bytes));

    private static Tensor Copy(Tensor tensor)
    {
        if (tensor.Type == TensorDataType.String)
        {
            return Tensor.FromStrings(tensor.Name, tensor.Shape, [.. tensor.Strings!]);
        }

        var copy = Tensor.Allocate(tensor.Name, tensor.Type, tensor.Shape);
        tensor.Bytes.CopyTo(copy.Bytes);
        return copy;
    }

    private static void DisposeAll(Tensor?[] tensors)
    {
        foreach (var tensor in tensors)
        {
            tensor?.Dispose();
        }
    }

    private static TensorSpec[] Describe(IReadOnlyDictionary<string, NodeMetadata> metadata, string kind)
    {
        var specs = new TensorSpec[metadata.Count];
        var i = 0;
        foreach (var (name, node) in metadata)
        {
            var spec = DescribeValue(name, node)
                ?? throw new ModelLoadException($"{kind} '{name}' is a {node.OnnxValueType} of no type with a JSON form");
            if (kind == "input" && spec.Kind is not (ValueKind.Tensor or ValueKind.Map))
            {
                throw new ModelLoadException($"input '{name}' is a {spec.TypeText()}; models are fed tensors and maps");
            }

            specs[i++] = spec;
        }

        return specs;
    }

    /// <summary>A tensor, a map of scalars, or a sequence of either; null for any other value.</summary>
    private static TensorSpec? DescribeValue(string name, NodeMetadata node)
    {
        switch (node.OnnxValueType)
        {
            case OnnxValueType.ONNX_TYPE_TENSOR:
                return OnnxTypes.TryFromOnnx(node.ElementDataType, out var type) ? new TensorSpec(name, type, Dimensions(node)) : null;
            case OnnxValueType.ONNX_TYPE_MAP:
                var map = node.AsMapMetadata();
                return OnnxTypes.TryFromOnnx(map.KeyDataType, out var keyType) && DescribeValue(name, map.ValueMetadata) is { Kind: ValueKind.Tensor } value
                    ? new TensorSpec(name, value.Type, [], ValueKind.Map, keyType)
                    : null;
            case OnnxValueType.ONNX_TYPE_SEQUENCE:
                return DescribeValue(name, node.AsSequenceMetadata().ElementMeta) switch
                {
                    { Kind: ValueKind.Tensor } element => element with { Kind = ValueKind.TensorSequence },
                    { Kind: ValueKind.Map } element => element with { Kind = ValueKind.MapSequence },
                    _ => null,
                };
            default:
                return null;
        }
    }

    private static long[] Dimensions(NodeMetadata node)
    {
        var shape = new long[node.Dimensions.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = node.Dimensions[d] < 0 ? -1 : node.Dimensions[d];
        }

        return shape;
    }
}
