using System.Buffers;
using System.Text;
using System.Text.Json;
using OpenMme.Codecs;
using OpenMme.Failures;
using OpenMme.TestSupport;

namespace OpenMme.Runtime.Onnx;

/// <summary>
/// Outputs that are sequences of tensors (test/classic-ml/values): stacked into one tensor in the
/// KServe v2 form when their shapes agree, refused there with a 424 naming the output when they do
/// not, and always answerable as <c>predictions</c> (an array of the elements).
/// </summary>
public sealed class SequenceOutputTests
{
    private const string Request = """{"inputs":[{"name":"X","shape":[4,2],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}""";

    [Fact]
    public async Task A_sequence_of_same_shaped_tensors_is_stacked_in_kserve_v2()
    {
        using var model = await LoadAsync("sequence-stackable");
        Assert.Equal("S: seq(FP32[])", model.Signature.Outputs[0].ToString());

        using var answer = Answer(model, Request, PayloadFormat.KServeJson);

        var output = Assert.Single(answer.RootElement.GetProperty("outputs").EnumerateArray());
        Assert.Equal([2, 4, 2], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 6, 8, 10, 12, 14, 16], output.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("seq(FP32)", output.GetProperty("parameters").GetProperty("onnx_type").GetString());
    }

    [Fact]
    public async Task A_ragged_sequence_answers_as_predictions_and_is_refused_by_kserve_v2_naming_it()
    {
        using var model = await LoadAsync("sequence-ragged");

        using var predictions = Answer(model, Request, PayloadFormat.InstancesJson);
        Assert.Equal("[[[1,2]],[[3,4],[5,6],[7,8]]]", predictions.RootElement.GetProperty("predictions").GetRawText());

        var error = Assert.Throws<ModelHostException>(() => Answer(model, Request, PayloadFormat.KServeJson));
        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Equal("Output 'S' is a seq(FP32) of tensors of different shapes, which a KServe v2 output tensor cannot carry. "
            + "Ask for application/json with the request sent as {\"instances\":[...]}.", error.Message);

        var csv = Assert.Throws<ModelHostException>(() => Answer(model, Request, PayloadFormat.Csv));
        Assert.Contains("Output 'S' is seq(FP32)", csv.Message, StringComparison.Ordinal);
    }

    private static async Task<ILoadedModel> LoadAsync(string name) =>
        await new OnnxModelRuntime(new OnnxRuntimeOptions()).LoadAsync(
            Path.Combine(Repository.Root(), "test", "classic-ml", "values", name, "model.onnx"), CancellationToken.None);

    private static JsonDocument Answer(ILoadedModel model, string request, PayloadFormat form)
    {
        using var decoded = PayloadCodecs.Decode("application/json", Encoding.UTF8.GetBytes(request), model.Signature);
        using var outputs = model.Run(decoded.Inputs);
        var buffer = new ArrayBufferWriter<byte>();
        PayloadCodecs.Encode(form, buffer, "m", decoded, outputs);
        return JsonDocument.Parse(buffer.WrittenMemory);
    }
}
