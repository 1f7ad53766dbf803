using System.Text;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// How a row of cells (a CSV line, an instance sent as a flat array) feeds the model's inputs: the
/// columns go to the inputs in the model's order, each input taking one column when it is 1-D
/// ([N]) or as many as its second dimension when it is 2-D ([N, k]), as skl2onnx names a
/// DataFrame's columns (<c>size</c> [N,1] BYTES, <c>sepal_length</c> [N,1] FP32, ...). A sole 2-D
/// input may leave k free; the rows then set it.
/// </summary>
internal sealed class ColumnLayout
{
    private readonly ModelSignature _signature;
    private readonly int[] _widths;

    private ColumnLayout(ModelSignature signature, int[] widths, int width)
    {
        _signature = signature;
        _widths = widths;
        Width = width;
    }

    /// <summary>Columns a row must have, or -1 when a sole input's width is free.</summary>
    public int Width { get; }

    /// <summary>The layout of <paramref name="signature"/>; throws when an input takes no fixed number of columns.</summary>
    public static ColumnLayout For(ModelSignature signature, string form)
    {
        var widths = new int[signature.Inputs.Count];
        var total = 0;
        for (var i = 0; i < widths.Length; i++)
        {
            var spec = signature.Inputs[i];
            widths[i] = spec.Shape.Length switch
            {
                1 => 1,
                2 when spec.Shape[1] >= 0 && spec.Shape[1] <= int.MaxValue => (int)spec.Shape[1],
                2 when widths.Length == 1 => -1,
                _ => throw CodecErrors.Rejected(
                    $"{form} feeds 1-D inputs and 2-D inputs of a fixed width (or a sole 2-D input), but input {CodecErrors.Quote(spec.Name)} is {spec.TypeText()}. Send KServe v2 JSON instead.", signature),
            };
            total += Math.Max(widths[i], 0);
        }

        return new ColumnLayout(signature, widths, widths.Length == 1 && widths[0] < 0 ? -1 : total);
    }

    /// <summary>Allocates the inputs for <paramref name="rows"/> rows of <paramref name="width"/> cells; throws when the width does not fit.</summary>
    public TensorSet Allocate(long rows, int width, string form)
    {
        if (Width >= 0 && width != Width)
        {
            throw CodecErrors.Rejected($"{form} rows have {width} columns; the model's inputs take {Width} ({Describe()}).", _signature);
        }

        var inputs = new TensorSet(_widths.Length);
        try
        {
            for (var i = 0; i < _widths.Length; i++)
            {
                var spec = _signature.Inputs[i];
                long[] shape = spec.Shape.Length == 1 ? [rows] : [rows, _widths[i] < 0 ? width : _widths[i]];
                if (!spec.Accepts(shape))
                {
                    throw CodecErrors.Rejected($"{form} gives input {CodecErrors.Quote(spec.Name)} shape {CodecErrors.Shape(shape)}, which the model does not accept.", _signature);
                }

                inputs.Add(Tensor.Allocate(spec.Name, spec.Type, shape));
            }

            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    /// <summary>The input and element index that cell (<paramref name="row"/>, <paramref name="column"/>) fills.</summary>
    public (Tensor Input, int Index) Cell(TensorSet inputs, long row, int column)
    {
        for (var i = 0; i < _widths.Length; i++)
        {
            var input = inputs[i];
            var width = input.Shape.Length == 1 ? 1 : (int)input.Shape[1];
            if (column < width)
            {
                return (input, checked((int)(row * width) + column));
            }

            column -= width;
        }

        throw new ArgumentOutOfRangeException(nameof(column));
    }

    private string Describe()
    {
        var text = new StringBuilder();
        for (var i = 0; i < _widths.Length; i++)
        {
            var spec = _signature.Inputs[i];
            text.Append(i > 0 ? ", " : string.Empty).Append(spec.Name).Append(": ").Append(_widths[i]).Append(' ').Append(TensorDataTypes.KServeName(spec.Type));
        }

        return text.ToString();
    }
}
