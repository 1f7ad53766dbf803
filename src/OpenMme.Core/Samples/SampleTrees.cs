namespace OpenMme.Samples;

/// <summary>
/// Seeded full binary trees of depth 2 for the TreeEnsemble samples, written as skl2onnx writes a
/// forest (BRANCH_LEQ branches, every leaf carrying one weight per target or class), and the walk
/// ONNX Runtime takes through them.
/// </summary>
internal sealed class SampleTrees
{
    // Node n goes to 2n + 1 when x[feature] <= threshold and to 2n + 2 otherwise: nodes 0-2 branch, 3-6 are leaves.
    private const int Branches = 3;
    private const int Nodes = 7;
    private const int Leaves = Nodes - Branches;

    private readonly int[] _features;
    private readonly float[] _thresholds;
    private readonly double[][] _leaves;

    private SampleTrees(int[] features, float[] thresholds, double[][] leaves)
    {
        _features = features;
        _thresholds = thresholds;
        _leaves = leaves;
    }

    public int Count => _features.Length / Branches;

    public int Targets => _leaves[0].Length;

    /// <summary>
    /// Draws <paramref name="trees"/> trees over <paramref name="features"/> inputs, thresholds in
    /// [-1.25, 1.25] where the sample inputs lie, and leaves from <paramref name="leaf"/>; thresholds
    /// and leaf weights are rounded to float, as the model stores them.
    /// </summary>
    public static SampleTrees Create(Random random, int trees, int features, Func<double[]> leaf)
    {
        var featureIds = new int[trees * Branches];
        var thresholds = new float[trees * Branches];
        for (var i = 0; i < featureIds.Length; i++)
        {
            featureIds[i] = random.Next(features);
            thresholds[i] = (float)((random.NextDouble() * 2.5) - 1.25);
        }

        var leaves = new double[trees * Leaves][];
        for (var i = 0; i < leaves.Length; i++)
        {
            leaves[i] = leaf();
            SampleModelFactory.RoundToSingle(leaves[i]);
        }

        return new SampleTrees(featureIds, thresholds, leaves);
    }

    /// <summary>The sum over the trees of the weights of the leaves <paramref name="row"/> reaches, in double.</summary>
    public double[] Sum(ReadOnlySpan<double> row)
    {
        var sums = new double[Targets];
        for (var tree = 0; tree < Count; tree++)
        {
            var weights = _leaves[(tree * Leaves) + Leaf(tree, row) - Branches];
            for (var t = 0; t < sums.Length; t++)
            {
                sums[t] += weights[t];
            }
        }

        return sums;
    }

    /// <summary>
    /// The nodes_* attributes and the leaves' <paramref name="leafPrefix"/>_treeids, _nodeids, _ids
    /// and _weights (<c>class</c> for TreeEnsembleClassifier, <c>target</c> for TreeEnsembleRegressor).
    /// </summary>
    public List<OnnxAttribute> Attributes(string leafPrefix)
    {
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var featureIds = new List<long>();
        var modes = new List<string>();
        var values = new List<double>();
        var trueIds = new List<long>();
        var falseIds = new List<long>();
        var leafTreeIds = new List<long>();
        var leafNodeIds = new List<long>();
        var leafIds = new List<long>();
        var leafWeights = new List<double>();
        for (var tree = 0; tree < Count; tree++)
        {
            for (var node = 0; node < Nodes; node++)
            {
                treeIds.Add(tree);
                nodeIds.Add(node);
                var branch = node < Branches;
                featureIds.Add(branch ? _features[(tree * Branches) + node] : 0);
                modes.Add(branch ? "BRANCH_LEQ" : "LEAF");
                values.Add(branch ? _thresholds[(tree * Branches) + node] : 0);
                trueIds.Add(branch ? (2 * node) + 1 : 0);
                falseIds.Add(branch ? (2 * node) + 2 : 0);
                if (!branch)
                {
                    var weights = _leaves[(tree * Leaves) + node - Branches];
                    for (var t = 0; t < weights.Length; t++)
                    {
                        leafTreeIds.Add(tree);
                        leafNodeIds.Add(node);
                        leafIds.Add(t);
                        leafWeights.Add(weights[t]);
                    }
                }
            }
        }

        return
        [
            OnnxAttribute.Ints("nodes_treeids", treeIds),
            OnnxAttribute.Ints("nodes_nodeids", nodeIds),
            OnnxAttribute.Ints("nodes_featureids", featureIds),
            OnnxAttribute.Strings("nodes_modes", modes),
            OnnxAttribute.Floats("nodes_values", values),
            OnnxAttribute.Ints("nodes_truenodeids", trueIds),
            OnnxAttribute.Ints("nodes_falsenodeids", falseIds),
            OnnxAttribute.Ints(leafPrefix + "_treeids", leafTreeIds),
            OnnxAttribute.Ints(leafPrefix + "_nodeids", leafNodeIds),
            OnnxAttribute.Ints(leafPrefix + "_ids", leafIds),
            OnnxAttribute.Floats(leafPrefix + "_weights", leafWeights),
        ];
    }

    /// <summary>
    /// The leaf <paramref name="row"/> reaches in <paramref name="tree"/>. ONNX Runtime compares the
    /// float input with the float threshold; the sample inputs are exact floats, so rounding the
    /// input changes nothing and the comparison is the runtime's own.
    /// </summary>
    private int Leaf(int tree, ReadOnlySpan<double> row)
    {
        var node = 0;
        while (node < Branches)
        {
            var i = (tree * Branches) + node;
            node = (float)row[_features[i]] <= _thresholds[i] ? (2 * node) + 1 : (2 * node) + 2;
        }

        return node;
    }
}
