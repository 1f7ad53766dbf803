using System.Buffers;
using System.Text;
using System.Text.Json;
using OpenMme.Failures;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

public sealed class PayloadCodecsTests
{
    private static readonly ModelSignature FloatModel = new(
        [new TensorSpec("x", TensorDataType.Float, [-1, 3])],
        [new TensorSpec("y", TensorDataType.Float, [-1, 2])]);

    private static readonly ModelSignature TwoInputs = new(
        [new TensorSpec("x", TensorDataType.Float, [-1, 2]), new TensorSpec("mask", TensorDataType.Bool, [-1, 2])],
        [new TensorSpec("y", TensorDataType.Float, [-1])]);

    [Fact]
    public void Decodes_kserve_inputs_into_tensors_of_the_declared_shape()
    {
        using var request = Decode("application/json", """{"id":"r1","inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3,4.5,5,-6]}]}""", FloatModel);

        var x = request.Inputs.Find("x")!;
        Assert.Equal([2L, 3L], x.Shape);
        Assert.Equal([1f, 2f, 3f, 4.5f, 5f, -6f], x.AsSpan<float>().ToArray());
        Assert.Equal("r1", request.Id);
        Assert.Equal(PayloadFormat.KServeJson, request.Format);
    }

    [Fact]
    public void Accepts_nested_data_as_row_major()
    {
        using var request = Decode("application/json", """{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[[1,2,3],[4,5,6]]}]}""", FloatModel);

        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], request.Inputs[0].AsSpan<float>().ToArray());
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[NaN,Infinity,-Infinity]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":["NaN","Infinity","-Infinity"]}]}""")]
    public void Accepts_non_finite_floats_as_python_tokens_or_strings(string json)
    {
        using var request = Decode("application/json", json, FloatModel);

        var values = request.Inputs[0].AsSpan<float>().ToArray();
        Assert.True(float.IsNaN(values[0]));
        Assert.Equal(float.PositiveInfinity, values[1]);
        Assert.Equal(float.NegativeInfinity, values[2]);
    }

    [Fact]
    public void Writes_non_finite_floats_as_strings()
    {
        using var outputs = Outputs(TensorDataType.Float, [3], t => FillFloats(t, float.NaN, float.PositiveInfinity, 1.5f));

        var json = Encode(PayloadFormat.KServeJson, outputs);

        Assert.Contains("\"data\":[\"NaN\",\"Infinity\",1.5]", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Kserve_response_names_model_shape_and_datatype()
    {
        using var outputs = Outputs(TensorDataType.Int64, [2], t => new long[] { long.MaxValue, -3 }.CopyTo(t.AsSpan<long>()));

        using var document = JsonDocument.Parse(Encode(PayloadFormat.KServeJson, outputs));

        Assert.Equal("m.onnx", document.RootElement.GetProperty("model_name").GetString());
        var output = document.RootElement.GetProperty("outputs")[0];
        Assert.Equal("out", output.GetProperty("name").GetString());
        Assert.Equal("INT64", output.GetProperty("datatype").GetString());
        Assert.Equal(2, output.GetProperty("shape")[0].GetInt64());
        Assert.Equal(long.MaxValue, output.GetProperty("data")[0].GetInt64());
    }

    [Fact]
    public void Instances_take_the_shape_of_their_nesting_and_answer_predictions()
    {
        using var request = Decode("application/json", """{"instances":[[1,2,3],[4,5,6]]}""", FloatModel);
        Assert.Equal(PayloadFormat.InstancesJson, request.Format);
        Assert.Equal([2L, 3L], request.Inputs[0].Shape);

        using var outputs = Outputs(TensorDataType.Float, [2, 2], t => FillFloats(t, 1, 2, 3, 4));
        var json = Encode(PayloadFormat.InstancesJson, outputs);
        Assert.Equal("""{"predictions":[[1,2],[3,4]]}""", json);
    }

    [Theory]
    [InlineData("""{"instances":[[1,2,3],[4,5]]}""")]
    [InlineData("""{"instances":[[1,2,3],4]}""")]
    [InlineData("""{"instances":[[1],[2,3,4],[5,6]]}""")]
    public void Ragged_instances_are_a_payload_error(string json)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode("application/json", json, FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains("ragged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Instances_need_a_single_input_model()
    {
        var error = Assert.Throws<ModelHostException>(() => Decode("application/json", """{"instances":[[1,2]]}""", TwoInputs));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
    }

    [Fact]
    public void Npy_round_trips_through_encode_and_decode()
    {
        using var outputs = Outputs(TensorDataType.Float, [2, 3], t => FillFloats(t, 1, 2, 3, 4, 5, 6));
        var buffer = new ArrayBufferWriter<byte>();
        PayloadCodecs.Encode(PayloadFormat.Npy, buffer, "m", Empty(), outputs);

        using var request = Decode("application/x-npy", buffer.WrittenSpan.ToArray(), FloatModel);

        Assert.Equal([2L, 3L], request.Inputs[0].Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], request.Inputs[0].AsSpan<float>().ToArray());
        Assert.Equal(0, (buffer.WrittenCount - (2 * 3 * 4)) % 64);
    }

    [Fact]
    public void Npy_of_the_wrong_dtype_is_rejected_with_the_signature()
    {
        using var outputs = Outputs(TensorDataType.Double, [1, 3], _ => { });
        var buffer = new ArrayBufferWriter<byte>();
        PayloadCodecs.Encode(PayloadFormat.Npy, buffer, "m", Empty(), outputs);

        var error = Assert.Throws<ModelHostException>(() => Decode("application/x-npy", buffer.WrittenSpan.ToArray(), FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains("x: FP32[-1,3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_rows_become_a_matrix_and_outputs_rows()
    {
        using var request = Decode("text/csv", "1,2,3\n4,5,6\n", FloatModel);
        Assert.Equal([2L, 3L], request.Inputs[0].Shape);

        using var outputs = Outputs(TensorDataType.Float, [2, 2], t => FillFloats(t, 1.5f, 2, 3, 4));
        Assert.Equal("1.5,2\n3,4\n", Encode(PayloadFormat.Csv, outputs));
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"z","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", "'z' is not an input")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"INT64","data":[1,2,3]}]}""", "the model takes FP32")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "does not accept")]
    [InlineData("""{"inputs":[{"name":"x","shape":[3],"datatype":"FP32","data":[1,2,3]}]}""", "does not accept")]
    public void Inputs_that_do_not_fit_the_signature_are_model_errors_listing_it(string json, string reason)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode("application/json", json, FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("The model expects inputs [x: FP32[-1,3]], outputs [y: FP32[-1,2]]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_input_is_a_model_error()
    {
        var error = Assert.Throws<ModelHostException>(() => Decode("application/json", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""", TwoInputs));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains("'mask' is missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("{\"inputs\":[", "not valid JSON")]
    [InlineData("[1,2,3]", "must be a JSON object")]
    [InlineData("{}", "neither")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2]}]}""", "needs 3 values; the data holds 2")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3,4]}]}""", "the data holds more")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,"a",3]}]}""", "holds the string 'a'")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1000000,3],"datatype":"FP32","data":[1]}]}""", "more than a")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP99","data":[1,2,3]}]}""", "unknown datatype")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"data":[1,2,3]}]}""", "needs \"name\", \"shape\", \"datatype\" and \"data\"")]
    public void Malformed_bodies_are_payload_errors(string json, string reason)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode("application/json", json, FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"x","shape":[3],"datatype":"INT8","data":[1,200,3]}]}""", TensorDataType.Int8)]
    [InlineData("""{"inputs":[{"name":"x","shape":[3],"datatype":"UINT8","data":[1,-1,3]}]}""", TensorDataType.UInt8)]
    [InlineData("""{"inputs":[{"name":"x","shape":[3],"datatype":"INT64","data":[1,2.5,3]}]}""", TensorDataType.Int64)]
    [InlineData("""{"inputs":[{"name":"x","shape":[3],"datatype":"BOOL","data":[true,2,false]}]}""", TensorDataType.Bool)]
    public void Values_out_of_range_for_the_type_are_payload_errors(string json, TensorDataType type)
    {
        var signature = new ModelSignature([new TensorSpec("x", type, [-1])], [new TensorSpec("y", type, [-1])]);

        var error = Assert.Throws<ModelHostException>(() => Decode("application/json", json, signature));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("image/png")]
    public void Unsupported_content_types_name_the_supported_ones(string contentType)
    {
        var error = Assert.Throws<ModelHostException>(() => PayloadCodecs.RequestFormat(contentType));

        Assert.Equal(FailureKind.UnsupportedMediaType, error.Kind);
        Assert.Contains("application/json", error.Message, StringComparison.Ordinal);
        Assert.Contains("application/x-npy", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, PayloadFormat.KServeJson, PayloadFormat.KServeJson)]
    [InlineData("*/*", PayloadFormat.InstancesJson, PayloadFormat.InstancesJson)]
    [InlineData("application/x-npy", PayloadFormat.KServeJson, PayloadFormat.Npy)]
    [InlineData("application/json", PayloadFormat.Npy, PayloadFormat.KServeJson)]
    [InlineData("text/csv; q=0.9", PayloadFormat.KServeJson, PayloadFormat.Csv)]
    public void Accept_chooses_the_response_form(string? accept, PayloadFormat request, PayloadFormat expected) =>
        Assert.Equal(expected, PayloadCodecs.ResponseFormat(accept, request));

    private static DecodedRequest Decode(string contentType, string body, ModelSignature signature) =>
        Decode(contentType, Encoding.UTF8.GetBytes(body), signature);

    private static DecodedRequest Decode(string contentType, byte[] body, ModelSignature signature) =>
        PayloadCodecs.Decode(contentType, body, signature);

    private static DecodedRequest Empty() => new(new TensorSet(0), PayloadFormat.KServeJson, null, null);

    private static TensorSet Outputs(TensorDataType type, long[] shape, Action<Tensor> fill)
    {
        var tensor = Tensor.Allocate("out", type, shape);
        fill(tensor);
        var set = new TensorSet(1);
        set.Add(tensor);
        return set;
    }

    private static void FillFloats(Tensor tensor, params float[] values) => values.CopyTo(tensor.AsSpan<float>());

    private static string Encode(PayloadFormat format, TensorSet outputs)
    {
        var buffer = new ArrayBufferWriter<byte>();
        PayloadCodecs.Encode(format, buffer, "m.onnx", Empty(), outputs);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
