using OpenMme.Runtime;

namespace OpenMme.Samples;

/// <summary>
/// A tensor of a sample request or expected response: numeric <see cref="Values"/> (every element
/// type here is exact in a double) or, for <see cref="TensorDataType.String"/>, <see cref="Strings"/>.
/// With <see cref="Keys"/> it is a sequence of maps sharing those keys, as ZipMap writes a
/// classifier's probabilities: <see cref="Values"/> are the maps' values stacked by row
/// (shape [N, C]), which is how the server holds and answers such an output.
/// </summary>
public sealed record SampleTensor(string Name, TensorDataType Type, long[] Shape, double[] Values)
{
    /// <summary>The elements of a <see cref="TensorDataType.String"/> tensor; null for numeric tensors.</summary>
    public string[]? Strings { get; init; }

    /// <summary>The keys [C] every row's map shares (INT64 or BYTES); null for a tensor.</summary>
    public SampleTensor? Keys { get; init; }

    /// <summary>A string tensor.</summary>
    public static SampleTensor FromStrings(string name, long[] shape, string[] values) =>
        new(name, TensorDataType.String, shape, []) { Strings = values };

    /// <summary>Copies every tensor of a list into a set the caller owns.</summary>
    public static TensorSet ToTensorSet(IReadOnlyList<SampleTensor> tensors)
    {
        var set = new TensorSet(tensors.Count);
        foreach (var tensor in tensors)
        {
            set.Add(tensor.ToTensor());
        }

        return set;
    }

    /// <summary>Copies the values into a tensor of the declared type (pooled when numeric), with its keys when it has them.</summary>
    public Tensor ToTensor()
    {
        var tensor = ElementsToTensor();
        if (Keys is null)
        {
            return tensor;
        }

        try
        {
            return Tensor.WithKeys(tensor, Keys.ToTensor(), ValueKind.MapSequence);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private Tensor ElementsToTensor()
    {
        if (Type == TensorDataType.String)
        {
            return Tensor.FromStrings(Name, Shape, [.. Strings ?? throw new InvalidOperationException($"String sample tensor '{Name}' has no strings.")]);
        }

        var tensor = Tensor.Allocate(Name, Type, Shape);
        for (var i = 0; i < Values.Length; i++)
        {
            switch (Type)
            {
                case TensorDataType.Float:
                    tensor.AsSpan<float>()[i] = (float)Values[i];
                    break;
                case TensorDataType.Double:
                    tensor.AsSpan<double>()[i] = Values[i];
                    break;
                case TensorDataType.Int64:
                    tensor.AsSpan<long>()[i] = (long)Values[i];
                    break;
                case TensorDataType.Bool:
                    tensor.Bytes[i] = Values[i] != 0 ? (byte)1 : (byte)0;
                    break;
                default:
                    tensor.Dispose();
                    throw new NotSupportedException($"Sample tensors are FP32, FP64, INT64, BOOL or BYTES, not {Type}.");
            }
        }

        return tensor;
    }
}
