using OpenMme.Runtime;

namespace OpenMme.Samples;

/// <summary>
/// Generates seeded classic-ML samples in the form skl2onnx gives scikit-learn models
/// (<c>ai.onnx.ml</c> opset 1, ZipMap on, skl2onnx's input and output names):
/// <list type="bullet">
/// <item><c>classic-logistic-strings</c>: float_input FP32[N,4] → LinearClassifier (SOFTMAX) → ZipMap:
/// output_label BYTES[N], output_probability seq(map(BYTES,FP32)).</item>
/// <item><c>classic-tree-strings</c>: float_input FP32[N,4] → TreeEnsembleClassifier (three trees of
/// depth 2, leaf class proportions) → ZipMap: the same outputs.</item>
/// <item><c>classic-regressor</c>: float_input FP32[N,4] → TreeEnsembleRegressor (three trees of
/// depth 2 and a base value) → variable FP32[N,1].</item>
/// <item><c>classic-pipeline</c>: color BYTES[N,1], x1 FP32[N,1], x2 FP32[N,1] → OneHotEncoder on color,
/// Scaler on x1 and x2, Concat → LinearClassifier (SOFTMAX) → ZipMap: output_label INT64[N],
/// output_probability seq(map(INT64,FP32)).</item>
/// </list>
/// The references are computed here in double from the parameters as the model stores them
/// (rounded to float), not by ONNX Runtime. Weights, thresholds, categories and inputs are drawn
/// again until every row's best class leads the next by a clear margin (0.1 of score before
/// softmax, 0.05 of probability for trees), so float32 arithmetic cannot change a label.
/// </summary>
public static class ClassicSampleFactory
{
    /// <summary>Inputs per row of <c>float_input</c>.</summary>
    public const int Features = 4;

    /// <summary>Rows in the fixed request of the models on <c>float_input</c>.</summary>
    public const int Rows = 4;

    private const int Trees = 3;
    private const double ScoreMargin = 0.1;
    private const double ProbabilityMargin = 0.05;
    private const int MaxDraws = 10_000;

    private static readonly string[] Animals = ["bird", "cat", "dog"];
    private static readonly double[] Numbers = [10, 20, 30];
    private static readonly string[] Colors = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white"];
    private static readonly string[] KindNames = ["logistic-strings", "tree-strings", "regressor", "pipeline"];

    /// <summary>The kinds of classic sample; sample <c>KIND</c> is named <c>classic-KIND.onnx</c>.</summary>
    public static IReadOnlyList<string> Kinds { get; } = Array.AsReadOnly(KindNames);

    /// <summary>Creates every kind of classic sample.</summary>
    public static IReadOnlyList<SampleModel> CreateAll(int seed = 1)
    {
        var samples = new SampleModel[KindNames.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = Create(KindNames[i], seed);
        }

        return samples;
    }

    /// <summary>Creates the classic sample of <paramref name="kind"/> (one of <see cref="Kinds"/>).</summary>
    public static SampleModel Create(string kind, int seed = 1)
    {
        var index = Array.IndexOf(KindNames, kind);
        if (index < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Classic samples are {string.Join(", ", KindNames)}.");
        }

        var random = new Random(unchecked((seed * 1_000_003) + (700_001 * (index + 1))));
        var name = $"classic-{kind}.onnx";
        return kind switch
        {
            "logistic-strings" => LogisticStrings(name, random),
            "tree-strings" => TreeStrings(name, random),
            "regressor" => Regressor(name, random),
            _ => Pipeline(name, random),
        };
    }

    private static SampleModel LogisticStrings(string name, Random random)
    {
        var classes = Animals.Length;
        double[] x, coefficients, intercepts, scores;
        var draws = 0;
        do
        {
            Count(ref draws, name);
            x = SampleModelFactory.Exact(random, Rows * Features);
            coefficients = Floats(random, classes * Features, 1.5);
            intercepts = Floats(random, classes, 0.5);
            scores = LinearScores(x, Features, coefficients, intercepts);
        }
        while (!Separated(scores, classes, ScoreMargin, labels: classes));

        var keys = SampleTensor.FromStrings("output_probability", [classes], Animals);
        var builder = new OnnxGraphBuilder(name);
        builder.Input("float_input", OnnxGraphBuilder.Float, -1, Features);
        AddLinearClassifier(builder, "float_input", keys, coefficients, intercepts);
        AddZipMap(builder, keys);
        return new SampleModel(name, "logistic-strings", builder.Build(),
            [new SampleTensor("float_input", TensorDataType.Float, [Rows, Features], x)],
            ClassifierOutputs(Softmax(scores, classes), keys));
    }

    private static SampleModel TreeStrings(string name, Random random)
    {
        var classes = Animals.Length;
        double[] x, probabilities;
        SampleTrees trees;
        var draws = 0;
        do
        {
            Count(ref draws, name);
            x = SampleModelFactory.Exact(random, Rows * Features);
            trees = SampleTrees.Create(random, Trees, Features, () => LeafProportions(random, classes, Trees));
            probabilities = new double[Rows * classes];
            for (var row = 0; row < Rows; row++)
            {
                trees.Sum(x.AsSpan(row * Features, Features)).CopyTo(probabilities, row * classes);
            }
        }
        while (!Separated(probabilities, classes, ProbabilityMargin, labels: 2));

        var keys = SampleTensor.FromStrings("output_probability", [classes], Animals);
        var builder = new OnnxGraphBuilder(name);
        builder.Input("float_input", OnnxGraphBuilder.Float, -1, Features);
        var attributes = trees.Attributes("class");
        attributes.Add(OnnxAttribute.Strings("classlabels_strings", Animals));
        attributes.Add(OnnxAttribute.String("post_transform", "NONE"));
        builder.Node("TreeEnsembleClassifier", OnnxGraphBuilder.MlDomain, ["float_input"], ["output_label", "probabilities"], [.. attributes]);
        AddZipMap(builder, keys);
        return new SampleModel(name, "tree-strings", builder.Build(),
            [new SampleTensor("float_input", TensorDataType.Float, [Rows, Features], x)],
            ClassifierOutputs(probabilities, keys));
    }

    private static SampleModel Regressor(string name, Random random)
    {
        var x = SampleModelFactory.Exact(random, Rows * Features);
        var trees = SampleTrees.Create(random, Trees, Features, () => SampleModelFactory.Uniform(random, 1, 0.5));

        // A base value of 2 to 3 keeps every prediction at least 0.5 away from zero, where a relative tolerance would not hold.
        var baseValue = (double)(float)(2 + random.NextDouble());
        var y = new double[Rows];
        for (var row = 0; row < Rows; row++)
        {
            y[row] = baseValue + trees.Sum(x.AsSpan(row * Features, Features))[0];
        }

        var builder = new OnnxGraphBuilder(name);
        builder.Input("float_input", OnnxGraphBuilder.Float, -1, Features);
        var attributes = trees.Attributes("target");
        attributes.Add(OnnxAttribute.Int("n_targets", 1));
        attributes.Add(OnnxAttribute.Floats("base_values", [baseValue]));
        attributes.Add(OnnxAttribute.String("aggregate_function", "SUM"));
        attributes.Add(OnnxAttribute.String("post_transform", "NONE"));
        builder.Node("TreeEnsembleRegressor", OnnxGraphBuilder.MlDomain, ["float_input"], ["variable"], [.. attributes]);
        builder.Output("variable", OnnxGraphBuilder.Float, -1, 1);
        return new SampleModel(name, "regressor", builder.Build(),
            [new SampleTensor("float_input", TensorDataType.Float, [Rows, Features], x)],
            [new SampleTensor("variable", TensorDataType.Float, [Rows, 1], y)]);
    }

    private static SampleModel Pipeline(string name, Random random)
    {
        var classes = Numbers.Length;
        string[] categories, colors;
        double[] x1, x2, offset, scale, coefficients, intercepts, scores;
        var draws = 0;
        do
        {
            Count(ref draws, name);
            var palette = (string[])Colors.Clone();
            random.Shuffle(palette);
            categories = palette[..3];

            // Every category once, one the encoder has not seen (zeros=1 encodes it as all zeros), one repeated.
            colors = [.. categories, palette[3], categories[random.Next(categories.Length)]];
            var rows = colors.Length;
            x1 = SampleModelFactory.Exact(random, rows);
            x2 = SampleModelFactory.Exact(random, rows);
            offset = Floats(random, 2, 1.0);
            scale = new double[2];
            for (var i = 0; i < scale.Length; i++)
            {
                scale[i] = (float)(0.5 + (random.NextDouble() * 1.5));
            }

            var features = categories.Length + 2;
            coefficients = Floats(random, classes * features, 1.5);
            intercepts = Floats(random, classes, 0.5);
            var encoded = new double[rows * features];
            for (var row = 0; row < rows; row++)
            {
                var category = Array.IndexOf(categories, colors[row]);
                if (category >= 0)
                {
                    encoded[(row * features) + category] = 1;
                }

                encoded[(row * features) + categories.Length] = (x1[row] - offset[0]) * scale[0];
                encoded[(row * features) + categories.Length + 1] = (x2[row] - offset[1]) * scale[1];
            }

            scores = LinearScores(encoded, features, coefficients, intercepts);
        }
        while (!Separated(scores, classes, ScoreMargin, labels: classes));

        var keys = new SampleTensor("output_probability", TensorDataType.Int64, [classes], Numbers);
        var builder = new OnnxGraphBuilder(name);
        builder.Input("color", OnnxGraphBuilder.String, -1, 1);
        builder.Input("x1", OnnxGraphBuilder.Float, -1, 1);
        builder.Input("x2", OnnxGraphBuilder.Float, -1, 1);

        // skl2onnx's OneHotEncoder converter: [N,1] strings encode to [N,1,C], reshaped to [N,C].
        builder.Node("OneHotEncoder", OnnxGraphBuilder.MlDomain, ["color"], ["color_encoded"],
            OnnxAttribute.Strings("cats_strings", categories), OnnxAttribute.Int("zeros", 1));
        builder.Node("Constant", OnnxGraphBuilder.OnnxDomain, [], ["encoded_shape"],
            OnnxAttribute.Tensor<long>("value", OnnxGraphBuilder.Int64, [2], [-1, categories.Length]));
        builder.Node("Reshape", ["color_encoded", "encoded_shape"], ["color_onehot"]);
        builder.Node("Concat", ["x1", "x2"], ["numeric"], ("axis", 1));
        builder.Node("Scaler", OnnxGraphBuilder.MlDomain, ["numeric"], ["numeric_scaled"],
            OnnxAttribute.Floats("offset", offset), OnnxAttribute.Floats("scale", scale));
        builder.Node("Concat", ["color_onehot", "numeric_scaled"], ["features"], ("axis", 1));
        AddLinearClassifier(builder, "features", keys, coefficients, intercepts);
        AddZipMap(builder, keys);
        var n = colors.Length;
        return new SampleModel(name, "pipeline", builder.Build(),
            [
                SampleTensor.FromStrings("color", [n, 1], colors),
                new SampleTensor("x1", TensorDataType.Float, [n, 1], x1),
                new SampleTensor("x2", TensorDataType.Float, [n, 1], x2),
            ],
            ClassifierOutputs(Softmax(scores, classes), keys));
    }

    private static void AddLinearClassifier(OnnxGraphBuilder builder, string input, SampleTensor keys, double[] coefficients, double[] intercepts)
    {
        // skl2onnx follows SOFTMAX with an L1 Normalizer and sends a string label through Identity;
        // both leave the values as they are, so the samples leave them out.
        builder.Node("LinearClassifier", OnnxGraphBuilder.MlDomain, [input], ["output_label", "probabilities"],
            keys.Type == TensorDataType.String ? OnnxAttribute.Strings("classlabels_strings", keys.Strings!) : OnnxAttribute.Ints("classlabels_ints", Longs(keys.Values)),
            OnnxAttribute.Floats("coefficients", coefficients),
            OnnxAttribute.Floats("intercepts", intercepts),
            OnnxAttribute.Int("multi_class", 1),
            OnnxAttribute.String("post_transform", "SOFTMAX"));
    }

    /// <summary>ZipMap from <c>probabilities</c>, and the outputs <c>output_label</c> [N] and <c>output_probability</c>.</summary>
    private static void AddZipMap(OnnxGraphBuilder builder, SampleTensor keys)
    {
        var strings = keys.Type == TensorDataType.String;
        builder.Node("ZipMap", OnnxGraphBuilder.MlDomain, ["probabilities"], ["output_probability"],
            strings ? OnnxAttribute.Strings("classlabels_strings", keys.Strings!) : OnnxAttribute.Ints("classlabels_int64s", Longs(keys.Values)));
        var keyType = strings ? OnnxGraphBuilder.String : OnnxGraphBuilder.Int64;
        builder.Output("output_label", keyType, -1);
        builder.MapSequenceOutput("output_probability", keyType, OnnxGraphBuilder.Float);
    }

    /// <summary>The label of each row (the key of its highest probability) and the probabilities under their keys.</summary>
    private static SampleTensor[] ClassifierOutputs(double[] probabilities, SampleTensor keys)
    {
        var classes = (int)keys.Shape[0];
        var rows = probabilities.Length / classes;
        var best = new int[rows];
        for (var row = 0; row < rows; row++)
        {
            best[row] = ArgMax(probabilities.AsSpan(row * classes, classes));
        }

        var label = keys.Type == TensorDataType.String
            ? SampleTensor.FromStrings("output_label", [rows], Array.ConvertAll(best, b => keys.Strings![b]))
            : new SampleTensor("output_label", TensorDataType.Int64, [rows], Array.ConvertAll(best, b => keys.Values[b]));
        return [label, new SampleTensor("output_probability", TensorDataType.Float, [rows, classes], probabilities) { Keys = keys }];
    }

    /// <summary>Scores [rows, classes] = intercepts + x · coefficientsᵀ, coefficients stored class by class as LinearClassifier takes them.</summary>
    private static double[] LinearScores(double[] x, int features, double[] coefficients, double[] intercepts)
    {
        var classes = intercepts.Length;
        var rows = x.Length / features;
        var scores = new double[rows * classes];
        for (var row = 0; row < rows; row++)
        {
            for (var c = 0; c < classes; c++)
            {
                var score = intercepts[c];
                for (var f = 0; f < features; f++)
                {
                    score += x[(row * features) + f] * coefficients[(c * features) + f];
                }

                scores[(row * classes) + c] = score;
            }
        }

        return scores;
    }

    private static double[] Softmax(double[] scores, int classes)
    {
        var probabilities = new double[scores.Length];
        for (var start = 0; start < scores.Length; start += classes)
        {
            var row = scores.AsSpan(start, classes);
            var max = row[ArgMax(row)];
            double sum = 0;
            for (var c = 0; c < classes; c++)
            {
                probabilities[start + c] = Math.Exp(row[c] - max);
                sum += probabilities[start + c];
            }

            for (var c = 0; c < classes; c++)
            {
                probabilities[start + c] /= sum;
            }
        }

        return probabilities;
    }

    /// <summary>
    /// Whether every row's best value leads its second by <paramref name="margin"/> and the rows
    /// choose at least <paramref name="labels"/> different classes (so a label mix-up shows).
    /// </summary>
    private static bool Separated(double[] values, int classes, double margin, int labels)
    {
        var chosen = new HashSet<int>();
        for (var start = 0; start < values.Length; start += classes)
        {
            var row = values.AsSpan(start, classes);
            var best = ArgMax(row);
            for (var c = 0; c < classes; c++)
            {
                if (c != best && row[best] - row[c] < margin)
                {
                    return false;
                }
            }

            chosen.Add(best);
        }

        return chosen.Count >= labels;
    }

    /// <summary>One leaf's class weights: the class proportions of its training rows over the number of trees, as skl2onnx writes a random forest.</summary>
    private static double[] LeafProportions(Random random, int classes, int trees)
    {
        // One class dominates each leaf, as in a trained tree; the others keep a share.
        var counts = new double[classes];
        for (var c = 0; c < classes; c++)
        {
            counts[c] = random.Next(0, 4);
        }

        counts[random.Next(classes)] += random.Next(3, 9);
        var total = 0.0;
        foreach (var count in counts)
        {
            total += count;
        }

        for (var c = 0; c < classes; c++)
        {
            counts[c] /= total * trees;
        }

        return counts;
    }

    private static int ArgMax(ReadOnlySpan<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static double[] Floats(Random random, int count, double scale)
    {
        var values = SampleModelFactory.Uniform(random, count, scale);
        SampleModelFactory.RoundToSingle(values);
        return values;
    }

    private static long[] Longs(double[] values) => Array.ConvertAll(values, v => (long)v);

    private static void Count(ref int draws, string name)
    {
        if (++draws > MaxDraws)
        {
            throw new InvalidOperationException($"No draw of {name} in {MaxDraws} kept its classes apart; widen the weights.");
        }
    }
}
