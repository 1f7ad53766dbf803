using System.Text;

namespace OpenMme.Runtime;

/// <summary>One input or output of a model: name, element type and shape (-1 for a free dimension).</summary>
public sealed record TensorSpec(string Name, TensorDataType Type, long[] Shape)
{
    /// <summary>Checks a tensor's shape against this spec: same rank, equal fixed dimensions.</summary>
    public bool Accepts(ReadOnlySpan<long> shape)
    {
        if (shape.Length != Shape.Length)
        {
            return false;
        }

        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0 || (Shape[i] >= 0 && Shape[i] != shape[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the spec as <c>name: FP32[-1,4]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Name).Append(": ").Append(TensorDataTypes.KServeName(Type)).Append('[');
        for (var i = 0; i < Shape.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(Shape[i]);
        }

        return text.Append(']').ToString();
    }
}
