using OpenMme.Runtime;
using OpenMme.Runtime.Onnx;
using OpenMme.TestSupport;

namespace OpenMme.Samples;

public sealed class SampleModelFactoryTests
{
    [Theory]
    [InlineData(0, 20_000)]
    [InlineData(1, 20_000)]
    [InlineData(2, 20_000)]
    [InlineData(3, 20_000)]
    [InlineData(4, 1_000_000)]
    [InlineData(7, 1_000_000)]
    public async Task Onnx_runtime_output_equals_the_reference(int index, long size)
    {
        var sample = SampleModelFactory.Create(index, size, seed: 7);
        using var directory = new TempDirectory();
        var path = directory.Combine(sample.Name);
        await File.WriteAllBytesAsync(path, sample.Onnx);

        using var model = await new OnnxModelRuntime(new OnnxRuntimeOptions()).LoadAsync(path, CancellationToken.None);
        using var inputs = SampleAssert.Inputs(sample);
        using var outputs = model.Run(inputs);

        SampleAssert.Matches(sample, outputs);
    }

    [Fact]
    public void Models_are_about_the_requested_size()
    {
        foreach (var size in new long[] { 10_000, 1_000_000, 5_000_000 })
        {
            for (var index = 0; index < 4; index++)
            {
                var bytes = SampleModelFactory.Create(index, size).Onnx.Length;
                Assert.InRange(bytes, size * 0.9, (size * 1.1) + 2_000);
            }
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_model_and_another_seed_another()
    {
        Assert.Equal(SampleModelFactory.Create(2, 50_000, seed: 3).Onnx, SampleModelFactory.Create(2, 50_000, seed: 3).Onnx);
        Assert.NotEqual(SampleModelFactory.Create(2, 50_000, seed: 3).Onnx, SampleModelFactory.Create(2, 50_000, seed: 4).Onnx);
    }

    [Fact]
    public async Task Signatures_cover_every_sample_type_and_multi_input_output()
    {
        using var directory = new TempDirectory();
        var seen = new HashSet<TensorDataType>();
        var runtime = new OnnxModelRuntime(new OnnxRuntimeOptions());
        for (var index = 0; index < 4; index++)
        {
            var sample = SampleModelFactory.Create(index, 10_000);
            var path = directory.Combine(sample.Name);
            await File.WriteAllBytesAsync(path, sample.Onnx);
            using var model = await runtime.LoadAsync(path, CancellationToken.None);
            foreach (var spec in model.Signature.Inputs.Concat(model.Signature.Outputs))
            {
                seen.Add(spec.Type);
            }

            if (sample.Kind == "bool")
            {
                Assert.Equal(2, model.Signature.Inputs.Count);
                Assert.Equal(2, model.Signature.Outputs.Count);
            }
        }

        Assert.Superset(new HashSet<TensorDataType> { TensorDataType.Float, TensorDataType.Double, TensorDataType.Int64, TensorDataType.Bool }, seen);
    }
}
