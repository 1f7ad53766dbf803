using System.Text.Json;
using OpenMme.Runtime;
using OpenMme.Samples;

namespace OpenMme.TestSupport;

/// <summary>
/// Compares model outputs and KServe v2 answers with a sample's references: strings, integers,
/// booleans and map keys exactly, floating-point values within a relative tolerance of 1e-5.
/// </summary>
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
            if (expected.Keys is { } keys)
            {
                Assert.Equal(ValueKind.MapSequence, actual.Kind);
                Assert.NotNull(actual.Keys);
                Assert.Equal(keys.Type, actual.Keys.Type);
                Assert.Equal(keys.Shape, actual.Keys.Shape);
                Matches($"{expected.Name} keys", keys, actual.Keys);
            }
            else
            {
                Assert.Equal(ValueKind.Tensor, actual.Kind);
            }

            Matches(expected.Name, expected, actual);
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

    /// <summary>
    /// Two KServe v2 answers hold the same outputs: model name, output names in order, datatypes,
    /// shapes and parameters (<c>onnx_type</c>, map <c>keys</c>) equal; data equal, floating-point
    /// data within the relative tolerance.
    /// </summary>
    public static void SameKServeAnswer(ReadOnlyMemory<byte> expected, ReadOnlyMemory<byte> actual)
    {
        using var want = JsonDocument.Parse(expected);
        using var got = JsonDocument.Parse(actual);
        Assert.Equal(want.RootElement.GetProperty("model_name").GetString(), got.RootElement.GetProperty("model_name").GetString());
        var wantOutputs = want.RootElement.GetProperty("outputs").EnumerateArray().ToArray();
        var gotOutputs = got.RootElement.GetProperty("outputs").EnumerateArray().ToArray();
        Assert.Equal(wantOutputs.Select(o => o.GetProperty("name").GetString()), gotOutputs.Select(o => o.GetProperty("name").GetString()));
        for (var i = 0; i < wantOutputs.Length; i++)
        {
            var name = wantOutputs[i].GetProperty("name").GetString();
            var datatype = wantOutputs[i].GetProperty("datatype").GetString();
            Assert.Equal(datatype, gotOutputs[i].GetProperty("datatype").GetString());
            Assert.Equal(wantOutputs[i].GetProperty("shape").GetRawText(), gotOutputs[i].GetProperty("shape").GetRawText());
            var floating = datatype is "FP32" or "FP64" or "FP16" or "BF16";
            Values($"{name} data", wantOutputs[i].GetProperty("data"), gotOutputs[i].GetProperty("data"), floating);
            var hasParameters = wantOutputs[i].TryGetProperty("parameters", out var parameters);
            Assert.Equal(hasParameters, gotOutputs[i].TryGetProperty("parameters", out var gotParameters));
            if (hasParameters)
            {
                Assert.Equal(parameters.GetRawText(), gotParameters.GetRawText());
            }
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

    private static void Matches(string name, SampleTensor expected, Tensor actual)
    {
        switch (expected.Type)
        {
            case TensorDataType.String:
                Assert.True(expected.Strings.AsSpan().SequenceEqual(actual.Strings),
                    $"{name}: expected [{string.Join(", ", expected.Strings ?? [])}], got [{string.Join(", ", actual.Strings ?? [])}]");
                break;
            case TensorDataType.Float or TensorDataType.Double:
                Matches(name, expected.Values, ToDoubles(actual));
                break;
            default:
                var values = ToDoubles(actual);
                Assert.True(expected.Values.AsSpan().SequenceEqual(values), $"{name}: expected [{string.Join(", ", expected.Values)}], got [{string.Join(", ", values)}]");
                break;
        }
    }

    private static void Values(string name, JsonElement want, JsonElement got, bool floating)
    {
        var wantValues = want.EnumerateArray().ToArray();
        var gotValues = got.EnumerateArray().ToArray();
        Assert.Equal(wantValues.Length, gotValues.Length);
        if (!floating)
        {
            Assert.Equal(want.GetRawText(), got.GetRawText());
            return;
        }

        Matches(name, wantValues.Select(v => v.GetDouble()).ToArray(), gotValues.Select(v => v.GetDouble()).ToArray());
    }
}
