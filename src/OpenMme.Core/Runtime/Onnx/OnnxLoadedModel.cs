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
                    result.Add(FromOrtValue(_outputNames[i], outputs[i]));
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

    private static Tensor FromOrtValue(string name, OrtValue value)
    {
        if (!value.IsTensor)
        {
            throw new ModelHostException(FailureKind.ModelFailed, $"Output '{name}' is a {value.OnnxType}, not a tensor; only tensor outputs can be returned.");
        }

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

    private static TensorSpec[] Describe(IReadOnlyDictionary<string, NodeMetadata> metadata, string kind)
    {
        var specs = new TensorSpec[metadata.Count];
        var i = 0;
        foreach (var (name, node) in metadata)
        {
            if (!node.IsTensor || !OnnxTypes.TryFromOnnx(node.ElementDataType, out var type))
            {
                throw new ModelLoadException($"{kind} '{name}' is not a tensor of a type with a JSON form ({node.OnnxValueType}, {node.ElementDataType})");
            }

            var shape = new long[node.Dimensions.Length];
            for (var d = 0; d < shape.Length; d++)
            {
                shape[d] = node.Dimensions[d] < 0 ? -1 : node.Dimensions[d];
            }

            specs[i++] = new TensorSpec(name, type, shape);
        }

        return specs;
    }
}
