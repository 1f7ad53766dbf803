using System.Buffers;
using OpenMme.Codecs;
using OpenMme.Runtime.Onnx;
using OpenMme.TestSupport;

namespace OpenMme.Samples;

/// <summary>
/// The classic-ML samples as a user gets them from <c>openmme samples --classic</c>: each file loads
/// in ONNX Runtime, its request.json decodes against the model's signature, the outputs equal the
/// references computed apart from ONNX Runtime, and the KServe v2 answer equals its response.json.
/// </summary>
public sealed class ClassicSampleFactoryTests
{
    public static TheoryData<int> Seeds => [1, 2, 3, 17, 4242, -9];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Every_classic_sample_answers_its_response_file_in_onnx_runtime(int seed)
    {
        using var directory = new TempDirectory();
        var written = SampleWriter.WriteClassic(directory.Path, seed);
        var runtime = new OnnxModelRuntime(new OnnxRuntimeOptions());

        Assert.Equal(ClassicSampleFactory.Kinds.Select(k => directory.Combine($"classic-{k}.onnx")), written);
        foreach (var sample in ClassicSampleFactory.CreateAll(seed))
        {
            var stem = Path.GetFileNameWithoutExtension(sample.Name);
            using var model = await runtime.LoadAsync(directory.Combine(sample.Name), CancellationToken.None);
            using var request = PayloadCodecs.Decode("application/json", await File.ReadAllBytesAsync(directory.Combine(stem + ".request.json")), model.Signature);
            using var outputs = model.Run(request.Inputs);

            SampleAssert.Matches(sample, outputs);
            var answer = new ArrayBufferWriter<byte>();
            PayloadCodecs.Encode(PayloadFormat.KServeJson, answer, sample.Name, request, outputs);
            SampleAssert.SameKServeAnswer(await File.ReadAllBytesAsync(directory.Combine(stem + ".response.json")), answer.WrittenMemory);
        }
    }

    [Fact]
    public async Task Signatures_are_the_ones_skl2onnx_writes()
    {
        using var directory = new TempDirectory();
        var runtime = new OnnxModelRuntime(new OnnxRuntimeOptions());
        var signatures = new Dictionary<string, string>();
        foreach (var sample in ClassicSampleFactory.CreateAll())
        {
            var path = directory.Combine(sample.Name);
            await File.WriteAllBytesAsync(path, sample.Onnx);
            using var model = await runtime.LoadAsync(path, CancellationToken.None);
            signatures[sample.Kind] = model.Signature.ToString();
        }

        var classifier = "inputs [float_input: FP32[-1,4]], outputs [output_label: BYTES[-1], output_probability: seq(map(BYTES,FP32))]";
        Assert.Equal(classifier, signatures["logistic-strings"]);
        Assert.Equal(classifier, signatures["tree-strings"]);
        Assert.Equal("inputs [float_input: FP32[-1,4]], outputs [variable: FP32[-1,1]]", signatures["regressor"]);
        Assert.Equal("inputs [color: BYTES[-1,1], x1: FP32[-1,1], x2: FP32[-1,1]], outputs [output_label: INT64[-1], output_probability: seq(map(INT64,FP32))]",
            signatures["pipeline"]);
    }

    [Fact]
    public void Probabilities_are_keyed_by_the_class_labels_and_every_class_is_predicted()
    {
        foreach (var seed in new[] { 1, 5, 8 })
        {
            var logistic = ClassicSampleFactory.Create("logistic-strings", seed);
            Assert.Equal(["bird", "cat", "dog"], logistic.ExpectedOutputs[1].Keys!.Strings!);
            Assert.Equal(3, logistic.ExpectedOutputs[0].Strings!.Distinct().Count());

            var pipeline = ClassicSampleFactory.Create("pipeline", seed);
            Assert.Equal([10.0, 20, 30], pipeline.ExpectedOutputs[1].Keys!.Values);
            Assert.Equal(3, pipeline.ExpectedOutputs[0].Values.Distinct().Count());

            // Three categories, each at least once, and one the encoder has not seen.
            Assert.Equal(4, pipeline.Inputs[0].Strings!.Distinct().Count());
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_models_and_another_seed_other_weights()
    {
        foreach (var kind in ClassicSampleFactory.Kinds)
        {
            Assert.Equal(ClassicSampleFactory.Create(kind, 3).Onnx, ClassicSampleFactory.Create(kind, 3).Onnx);
            Assert.NotEqual(ClassicSampleFactory.Create(kind, 3).Onnx, ClassicSampleFactory.Create(kind, 4).Onnx);
            Assert.NotEqual(ClassicSampleFactory.Create(kind, 3).ExpectedOutputs[^1].Values, ClassicSampleFactory.Create(kind, 4).ExpectedOutputs[^1].Values);
        }
    }

    [Fact]
    public void Many_seeds_draw_models_whose_classes_stay_apart()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            foreach (var sample in ClassicSampleFactory.CreateAll(seed))
            {
                var outputs = sample.ExpectedOutputs;
                Assert.Equal(outputs.Count == 2 ? "output_label" : "variable", outputs[0].Name);
                if (outputs.Count == 2)
                {
                    AssertApart(sample.Name, outputs[1]);
                }
            }
        }
    }

    [Fact]
    public void An_unknown_kind_is_refused_naming_the_kinds()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ClassicSampleFactory.Create("svm"));

        Assert.Contains("logistic-strings, tree-strings, regressor, pipeline", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every row's best probability leads the next by more than float32 arithmetic could move either.</summary>
    private static void AssertApart(string name, SampleTensor probabilities)
    {
        var classes = (int)probabilities.Shape[1];
        for (var start = 0; start < probabilities.Values.Length; start += classes)
        {
            var row = probabilities.Values.AsSpan(start, classes).ToArray().OrderDescending().ToArray();
            Assert.True(row[0] - row[1] > 1e-3, $"{name}: row {start / classes} has {row[0]:R} and {row[1]:R}");
            Assert.Equal(1.0, row.Sum(), 1e-6);
        }
    }
}
