namespace OpenMme.Samples;

/// <summary>
/// Generates seeded MLP models of about a requested size, cycling through four kinds so every
/// sample set covers FP32, FP64, INT64 and BOOL tensors and multi-input / multi-output models:
/// <list type="bullet">
/// <item><c>fp32</c>: x FP32[N,8] → y FP32[N,4].</item>
/// <item><c>fp64</c>: x FP64[N,8] → y FP64[N,4].</item>
/// <item><c>int64</c>: ids INT64[N,8] → logits FP32[N,4], label INT64[N] (arg max).</item>
/// <item><c>bool</c>: x FP32[N,8], mask BOOL[N,8] → y FP32[N,4], positive BOOL[N,4].</item>
/// </list>
/// Output biases keep every output at least about 1 away from zero, so a relative tolerance
/// of 1e-5 holds for models up to tens of megabytes despite float32 accumulation order.
/// </summary>
public static class SampleModelFactory
{
    /// <summary>Inputs per row.</summary>
    public const int Features = 8;

    /// <summary>Outputs per row.</summary>
    public const int Classes = 4;

    /// <summary>Rows in the fixed request.</summary>
    public const int Batch = 2;

    private static readonly string[] Kinds = ["fp32", "fp64", "int64", "bool"];

    /// <summary>The kind of the sample at <paramref name="index"/>.</summary>
    public static string KindOf(int index) => Kinds[index % Kinds.Length];

    /// <summary>Creates sample <paramref name="index"/> of about <paramref name="sizeBytes"/> bytes.</summary>
    public static SampleModel Create(int index, long sizeBytes, int seed = 1)
    {
        var kind = KindOf(index);
        var elementSize = kind == "fp64" ? 8 : 4;
        var hidden = (int)Math.Clamp(((sizeBytes / elementSize) - Classes) / (Features + 1 + Classes), 1, 64_000_000);
        var random = new Random(unchecked((seed * 1_000_003) + index));
        var w1 = Uniform(random, Features * hidden, 1.0 / Math.Sqrt(Features));
        var b1 = Uniform(random, hidden, 0.5);
        var w2 = Uniform(random, hidden * Classes, 0.5 / Math.Sqrt(hidden));
        var b2 = new double[Classes];
        for (var o = 0; o < Classes; o++)
        {
            b2[o] = (o % 2 == 0 ? 1 : -1) * (1.5 + (0.5 * o) + (0.25 * random.NextDouble()));
        }

        var singlePrecision = elementSize == 4;
        if (singlePrecision)
        {
            RoundToSingle(w1);
            RoundToSingle(b1);
            RoundToSingle(w2);
            RoundToSingle(b2);
        }

        var name = $"{kind}-{index:D3}.onnx";
        var builder = new OnnxGraphBuilder(name);
        var input = Exact(random, Batch * Features);
        var inputs = new List<SampleTensor>(2);
        var outputs = new List<SampleTensor>(2);
        long[] inputShape = [Batch, Features];
        long[] outputShape = [Batch, Classes];
        double[] y;
        switch (kind)
        {
            case "fp32":
            case "fp64":
                var type = singlePrecision ? OnnxGraphBuilder.Float : OnnxGraphBuilder.Double;
                var dataType = singlePrecision ? Runtime.TensorDataType.Float : Runtime.TensorDataType.Double;
                builder.Input("x", type, -1, Features);
                AddMlp(builder, "x", "y", type, hidden, w1, b1, w2, b2);
                builder.Output("y", type, -1, Classes);
                inputs.Add(new SampleTensor("x", dataType, inputShape, input));
                y = Mlp(input, hidden, w1, b1, w2, b2, singlePrecision);
                outputs.Add(new SampleTensor("y", dataType, outputShape, y));
                break;
            case "int64":
                var ids = new double[Batch * Features];
                for (var i = 0; i < ids.Length; i++)
                {
                    ids[i] = random.Next(0, 10);
                }

                builder.Input("ids", OnnxGraphBuilder.Int64, -1, Features);
                builder.Node("Cast", ["ids"], ["ids_float"], ("to", OnnxGraphBuilder.Float));
                AddMlp(builder, "ids_float", "logits", OnnxGraphBuilder.Float, hidden, w1, b1, w2, b2);
                builder.Node("ArgMax", ["logits"], ["label"], ("axis", 1), ("keepdims", 0));
                builder.Output("logits", OnnxGraphBuilder.Float, -1, Classes);
                builder.Output("label", OnnxGraphBuilder.Int64, -1);
                inputs.Add(new SampleTensor("ids", Runtime.TensorDataType.Int64, inputShape, ids));
                y = Mlp(ids, hidden, w1, b1, w2, b2, singlePrecision: true);
                outputs.Add(new SampleTensor("logits", Runtime.TensorDataType.Float, outputShape, y));
                outputs.Add(new SampleTensor("label", Runtime.TensorDataType.Int64, [Batch], ArgMax(y)));
                break;
            default:
                var mask = new double[Batch * Features];
                var masked = new double[Batch * Features];
                for (var i = 0; i < mask.Length; i++)
                {
                    mask[i] = (i * 7 % 3) == 0 ? 0 : 1;
                    masked[i] = mask[i] != 0 ? input[i] : 0;
                }

                builder.Input("x", OnnxGraphBuilder.Float, -1, Features);
                builder.Input("mask", OnnxGraphBuilder.Bool, -1, Features);
                builder.Initializer<float>("zero", OnnxGraphBuilder.Float, [], [0f]);
                builder.Node("Where", ["mask", "x", "zero"], ["masked"]);
                AddMlp(builder, "masked", "y", OnnxGraphBuilder.Float, hidden, w1, b1, w2, b2);
                builder.Node("Greater", ["y", "zero"], ["positive"]);
                builder.Output("y", OnnxGraphBuilder.Float, -1, Classes);
                builder.Output("positive", OnnxGraphBuilder.Bool, -1, Classes);
                inputs.Add(new SampleTensor("x", Runtime.TensorDataType.Float, inputShape, input));
                inputs.Add(new SampleTensor("mask", Runtime.TensorDataType.Bool, inputShape, mask));
                y = Mlp(masked, hidden, w1, b1, w2, b2, singlePrecision: true);
                outputs.Add(new SampleTensor("y", Runtime.TensorDataType.Float, outputShape, y));
                outputs.Add(new SampleTensor("positive", Runtime.TensorDataType.Bool, outputShape, Array.ConvertAll(y, v => v > 0 ? 1.0 : 0.0)));
                break;
        }

        return new SampleModel(name, kind, builder.Build(), inputs, outputs);
    }

    private static void AddMlp(OnnxGraphBuilder builder, string input, string output, int type, int hidden, double[] w1, double[] b1, double[] w2, double[] b2)
    {
        AddWeights(builder, "w1", type, [Features, hidden], w1);
        AddWeights(builder, "b1", type, [hidden], b1);
        AddWeights(builder, "w2", type, [hidden, Classes], w2);
        AddWeights(builder, "b2", type, [Classes], b2);
        builder.Node("MatMul", [input, "w1"], ["h0"]);
        builder.Node("Add", ["h0", "b1"], ["h1"]);
        builder.Node("Relu", ["h1"], ["h"]);
        builder.Node("MatMul", ["h", "w2"], ["y0"]);
        builder.Node("Add", ["y0", "b2"], [output]);
    }

    private static void AddWeights(OnnxGraphBuilder builder, string name, int type, long[] dims, double[] values)
    {
        if (type == OnnxGraphBuilder.Double)
        {
            builder.Initializer<double>(name, type, dims, values);
        }
        else
        {
            builder.Initializer<float>(name, type, dims, Array.ConvertAll(values, v => (float)v));
        }
    }

    /// <summary>The reference computation, in double precision with float rounding where the model stores floats.</summary>
    private static double[] Mlp(double[] x, int hidden, double[] w1, double[] b1, double[] w2, double[] b2, bool singlePrecision)
    {
        var y = new double[Batch * Classes];
        for (var n = 0; n < Batch; n++)
        {
            var sums = new double[Classes];
            for (var j = 0; j < hidden; j++)
            {
                double s = 0;
                for (var i = 0; i < Features; i++)
                {
                    s += x[(n * Features) + i] * w1[(i * hidden) + j];
                }

                s = Round(Round(s, singlePrecision) + b1[j], singlePrecision);
                var h = Math.Max(0, s);
                for (var o = 0; o < Classes; o++)
                {
                    sums[o] += h * w2[(j * Classes) + o];
                }
            }

            for (var o = 0; o < Classes; o++)
            {
                y[(n * Classes) + o] = Round(Round(sums[o], singlePrecision) + b2[o], singlePrecision);
            }
        }

        return y;
    }

    private static double[] ArgMax(double[] logits)
    {
        var labels = new double[Batch];
        for (var n = 0; n < Batch; n++)
        {
            var best = 0;
            for (var o = 1; o < Classes; o++)
            {
                if (logits[(n * Classes) + o] > logits[(n * Classes) + best])
                {
                    best = o;
                }
            }

            labels[n] = best;
        }

        return labels;
    }

    private static double Round(double value, bool singlePrecision) => singlePrecision ? (float)value : value;

    internal static double[] Uniform(Random random, int count, double scale)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = ((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    internal static double[] Exact(Random random, int count)
    {
        // Multiples of 1/64 in [-2, 2]: exact in every float type, so the request itself adds no rounding.
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = random.Next(-128, 129) / 64.0;
        }

        return values;
    }

    internal static void RoundToSingle(double[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)values[i];
        }
    }
}
