using System.Text;

namespace OpenMme.Runtime;

/// <summary>
/// One input or output of a model: name, element type and shape (-1 for a free dimension). For a
/// map or a sequence, <see cref="Type"/> is the type of the values (of the maps, or of the sequence's
/// tensors), <see cref="KeyType"/> the maps' key type, and <see cref="Shape"/> that of one element
/// (empty for a map's scalar values).
/// </summary>
public sealed record TensorSpec(string Name, TensorDataType Type, long[] Shape, ValueKind Kind = ValueKind.Tensor, TensorDataType KeyType = TensorDataType.String)
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

    /// <summary>Writes the spec as <c>name: FP32[-1,4]</c>, <c>name: seq(map(BYTES,FP32))</c> or <c>name: seq(FP32[-1])</c>.</summary>
    public override string ToString() => new StringBuilder(Name).Append(": ").Append(TypeText()).ToString();

    /// <summary>The value's type alone: <c>FP32[-1,4]</c>, <c>map(INT64,FP32)</c>, <c>seq(map(BYTES,FP32))</c>, <c>seq(FP32[-1])</c>.</summary>
    public string TypeText()
    {
        var text = new StringBuilder();
        switch (Kind)
        {
            case ValueKind.Map:
                return text.Append("map(").Append(TensorDataTypes.KServeName(KeyType)).Append(',').Append(TensorDataTypes.KServeName(Type)).Append(')').ToString();
            case ValueKind.MapSequence:
                return text.Append("seq(map(").Append(TensorDataTypes.KServeName(KeyType)).Append(',').Append(TensorDataTypes.KServeName(Type)).Append("))").ToString();
            case ValueKind.TensorSequence:
                text.Append("seq(");
                break;
        }

        text.Append(TensorDataTypes.KServeName(Type)).Append('[');
        for (var i = 0; i < Shape.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(Shape[i]);
        }

        text.Append(']');
        return Kind == ValueKind.TensorSequence ? text.Append(')').ToString() : text.ToString();
    }
}
