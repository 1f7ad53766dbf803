using System.Buffers;
using System.Text;
using System.Text.Json;
using OpenMme.Codecs;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Runtime.Onnx;

public sealed class OnnxModelRuntimeTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly OnnxModelRuntime _runtime = new(new OnnxRuntimeOptions());

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(1, "FP32", "[1.5,-2.25,\"NaN\"]")]
    [InlineData(11, "FP64", "[1.0000000000000002,-1E+300,\"-Infinity\"]")]
    [InlineData(10, "FP16", "[0.5,-2,65504]")]
    [InlineData(16, "BF16", "[1,-2,256]")]
    [InlineData(3, "INT8", "[-128,0,127]")]
    [InlineData(5, "INT16", "[-32768,1,32767]")]
    [InlineData(6, "INT32", "[-2147483648,1,2147483647]")]
    [InlineData(7, "INT64", "[-9223372036854775808,1,9223372036854775807]")]
    [InlineData(2, "UINT8", "[0,1,255]")]
    [InlineData(4, "UINT16", "[0,1,65535]")]
    [InlineData(12, "UINT32", "[0,1,4294967295]")]
    [InlineData(13, "UINT64", "[0,1,18446744073709551615]")]
    [InlineData(9, "BOOL", "[true,false,true]")]
    [InlineData(8, "BYTES", "[\"a\",\"\",\"ünïcode\"]")]
    public async Task Every_json_type_round_trips_through_a_real_session(int onnxType, string datatype, string data)
    {
        var builder = new OnnxGraphBuilder("identity");
        builder.Input("x", onnxType, -1);
        builder.Node("Identity", ["x"], ["y"]);
        builder.Output("y", onnxType, -1);
        var path = _directory.Combine($"identity-{datatype}.onnx");
        await File.WriteAllBytesAsync(path, builder.Build());
        using var model = await _runtime.LoadAsync(path, CancellationToken.None);
        var request = $$"""{"inputs":[{"name":"x","shape":[3],"datatype":"{{datatype}}","data":{{data}}}]}""";

        using var decoded = PayloadCodecs.Decode("application/json", Encoding.UTF8.GetBytes(request), model.Signature);
        using var outputs = model.Run(decoded.Inputs);
        var buffer = new ArrayBufferWriter<byte>();
        PayloadCodecs.Encode(PayloadFormat.KServeJson, buffer, "identity", decoded, outputs);

        using var response = JsonDocument.Parse(buffer.WrittenMemory);
        var output = response.RootElement.GetProperty("outputs")[0];
        Assert.Equal(datatype, output.GetProperty("datatype").GetString());
        Assert.Equal(data, output.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task A_file_that_is_not_onnx_is_a_load_error_with_the_runtime_cause()
    {
        var path = _directory.Combine("corrupt.onnx");
        await File.WriteAllTextAsync(path, "this is not a model");

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => _runtime.LoadAsync(path, CancellationToken.None).AsTask());

        Assert.StartsWith("ONNX Runtime rejected the model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_signature_comes_from_the_model_metadata()
    {
        var sample = SampleModelFactory.Create(3, 10_000);
        var path = _directory.Combine(sample.Name);
        await File.WriteAllBytesAsync(path, sample.Onnx);

        using var model = await _runtime.LoadAsync(path, CancellationToken.None);

        Assert.Equal("inputs [x: FP32[-1,8], mask: BOOL[-1,8]], outputs [y: FP32[-1,4], positive: BOOL[-1,4]]", model.Signature.ToString());
    }
}
