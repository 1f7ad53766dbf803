using System.Globalization;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// What the response forms share about outputs that are not plain tensors (see <see cref="Tensor"/>):
/// their type text, the rows the per-row forms (<c>predictions</c>, CSV) split them into, and the
/// names outputs take in a prediction object.
/// </summary>
internal static class OutputForms
{
    /// <summary>Where every output fits, in the words of an error message.</summary>
    public const string AllJson = "application/json";

    /// <summary>The per-row JSON form, in the words of an error message.</summary>
    public const string Instances = "application/json with the request sent as {\"instances\":[...]}";

    /// <summary>The value's type: <c>FP32[2,3]</c>, <c>map(BYTES,FP32)</c>, <c>seq(map(INT64,FP32))</c>, <c>seq(FP32)</c>.</summary>
    public static string TypeText(Tensor value)
    {
        var type = TensorDataTypes.KServeName(value.Type);
        return value.Kind switch
        {
            ValueKind.Map => $"map({KeyTypeText(value)},{type})",
            ValueKind.MapSequence => $"seq(map({KeyTypeText(value)},{type}))",
            ValueKind.TensorSequence => $"seq({type})",
            _ => type + CodecErrors.Shape(value.Shape),
        };
    }

    /// <summary>
    /// The rows every output splits into, for a form that answers one row per instance; throws
    /// naming the first output that is not batched, or whose rows differ from the first's.
    /// </summary>
    public static long Rows(TensorSet outputs, string form, string forms)
    {
        long rows = -1;
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            if (output.Kind == ValueKind.Map || output.Shape.Length == 0)
            {
                throw CodecErrors.Unanswerable(output.Name, $"is one {TypeText(output)} for the whole request, not one value per row", form, forms);
            }

            if (rows < 0)
            {
                rows = output.Shape[0];
            }
            else if (output.Shape[0] != rows)
            {
                throw CodecErrors.Unanswerable(output.Name, $"has {output.Shape[0]} rows where {CodecErrors.Quote(outputs[0].Name)} has {rows}", form, forms);
            }
        }

        return Math.Max(rows, 0);
    }

    /// <summary>
    /// An output's name in a prediction object: skl2onnx's <c>output_label</c> and
    /// <c>output_probability</c> answer as <c>label</c> and <c>probabilities</c>, the names
    /// onnxmltools gives the same outputs, unless the model has an output of that name itself.
    /// </summary>
    public static string RowName(TensorSet outputs, string name)
    {
        var shorter = name switch
        {
            "output_label" => "label",
            "output_probability" => "probabilities",
            _ => null,
        };
        return shorter is null || outputs.Find(shorter) is not null ? name : shorter;
    }

    /// <summary>Key <paramref name="i"/> of a map as text (JSON object keys are strings).</summary>
    public static string KeyText(Tensor keys, int i) => keys.Type switch
    {
        TensorDataType.String => keys.Strings![i],
        TensorDataType.Int64 => keys.AsSpan<long>()[i].ToString(CultureInfo.InvariantCulture),
        TensorDataType.Int32 => keys.AsSpan<int>()[i].ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(keys), $"Map keys of type {keys.Type} have no text form."),
    };

    private static string KeyTypeText(Tensor value)
    {
        var keys = value.Keys ?? value.Elements?.FirstOrDefault(e => e.Keys is not null)?.Keys;
        return keys is null ? "?" : TensorDataTypes.KServeName(keys.Type);
    }
}
