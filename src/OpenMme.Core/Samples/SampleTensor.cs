using OpenMme.Runtime;

namespace OpenMme.Samples;

/// <summary>A tensor of a sample request or expected response; every element type here is exact in a double.</summary>
public sealed record SampleTensor(string Name, TensorDataType Type, long[] Shape, double[] Values)
{
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

    /// <summary>Copies the values into a pooled tensor of the declared type.</summary>
    public Tensor ToTensor()
    {
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
                    throw new NotSupportedException($"Sample tensors are FP32, FP64, INT64 or BOOL, not {Type}.");
            }
        }

        return tensor;
    }
}
