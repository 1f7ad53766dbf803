using OpenMme.Runtime;
using OpenMme.Samples;

namespace OpenMme.TestSupport;

/// <summary>Compares model outputs with a sample's reference outputs (relative tolerance 1e-5).</summary>
public static class SampleAssert
{
    public const double RelativeTolerance = 1e-5;

    public static void Matches(SampleModel sample, TensorSet outputs)
    {
        Assert.Equal(sample.ExpectedOutputs.Count, outputs.Count);
        foreach (var expected in sample.ExpectedOutputs)
        {
            var actual = outputs.Find(expected.Name);
            Assert.NotNull(actual);
            Assert.Equal(expected.Type, actual.Type);
            Assert.Equal(expected.Shape, actual.Shape);
            Matches(expected.Name, expected.Values, ToDoubles(actual));
        }
    }

    public static void Matches(string name, IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var tolerance = RelativeTolerance * Math.Abs(expected[i]);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{name}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (relative tolerance {RelativeTolerance})");
        }
    }

    public static double[] ToDoubles(Tensor tensor)
    {
        var values = new double[tensor.ElementCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = tensor.Type switch
            {
                TensorDataType.Float => tensor.AsSpan<float>()[i],
                TensorDataType.Double => tensor.AsSpan<double>()[i],
                TensorDataType.Int64 => tensor.AsSpan<long>()[i],
                TensorDataType.Bool => tensor.Bytes[i],
                _ => throw new NotSupportedException(tensor.Type.ToString()),
            };
        }

        return values;
    }

    public static TensorSet Inputs(SampleModel sample) => SampleTensor.ToTensorSet(sample.Inputs);
}
