using System.Text;
using OpenMme.Failures;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>Findings of fuzzing the JSON decoder: each body here was once a 500, an unbounded echo or silently accepted.</summary>
public sealed class JsonPayloadCodecTests
{
    private const string Valid = """{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""";

    private static readonly ModelSignature FloatModel = new(
        [new TensorSpec("x", TensorDataType.Float, [-1, 3])],
        [new TensorSpec("y", TensorDataType.Float, [-1, 2])]);

    private static readonly ModelSignature StringModel = new(
        [new TensorSpec("s", TensorDataType.String, [-1])],
        [new TensorSpec("t", TensorDataType.String, [-1])]);

    [Theory]
    [InlineData("""{"\ud800":0}""")]
    [InlineData("""{"inputs":[{"\udc00":1,"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""")]
    [InlineData("""{"id":"a\ud800b","inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""")]
    [InlineData("""{"inputs":[{"name":"x\ud800","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP\udfff","data":[1,2,3]}]}""")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,"\ud800",3]}]}""")]
    [InlineData("""{"outputs":[{"name":"\ud83d"}],"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""")]
    public void A_lone_surrogate_escape_in_any_string_is_a_payload_error(string json)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode(json, FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
    }

    [Fact]
    public void A_lone_surrogate_escape_in_string_data_is_a_payload_error()
    {
        var error = Assert.Throws<ModelHostException>(() =>
            Decode("""{"inputs":[{"name":"s","shape":[2],"datatype":"BYTES","data":["ok","\ud800"]}]}""", StringModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
    }

    [Fact]
    public void A_surrogate_pair_escape_is_text()
    {
        using var request = Decode("""{"inputs":[{"name":"s","shape":[1],"datatype":"BYTES","data":["\ud83d\ude00"]}]}""", StringModel);

        Assert.Equal("\U0001F600", request.Inputs[0].Strings![0]);
    }

    [Theory]
    [InlineData("{\"id\":\"", "\"}")]
    [InlineData("{\"inputs\":[{\"name\":\"x", "\"}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP", "32\",\"data\":[1,2,3]}]}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}],\"other\":\"", "\"}")]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,\"", "\",3]}]}")]
    public void Invalid_utf8_inside_a_string_is_a_payload_error(string before, string after)
    {
        byte[][] invalid = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xE2, 0x82]];
        foreach (var bytes in invalid)
        {
            var body = Encoding.UTF8.GetBytes(before).Concat(bytes).Concat(Encoding.UTF8.GetBytes(after)).ToArray();

            var error = Assert.Throws<ModelHostException>(() => PayloadCodecs.Decode(PayloadFormat.KServeJson, body, FloatModel));

            Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
            Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(Valid + "x")]
    [InlineData(Valid + Valid)]
    [InlineData(Valid + " {}")]
    [InlineData(Valid + "]")]
    [InlineData(Valid + "NaN")]
    public void Anything_after_the_json_document_is_refused(string json)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode(json, FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Whitespace_after_the_json_document_is_fine()
    {
        using var request = Decode(Valid + " \r\n\t ", FloatModel);

        Assert.Equal([1f, 2f, 3f], request.Inputs[0].AsSpan<float>().ToArray());
    }

    [Theory]
    [InlineData("[1,[2,3]]", "[1,3]")]
    [InlineData("[[1,2],3]", "[1,3]")]
    [InlineData("[[1],[2,3]]", "[1,3]")]
    [InlineData("[[1,2,3,4,5,6]]", "[2,3]")]
    [InlineData("[[1,2],[3,4],[5,6]]", "[2,3]")]
    [InlineData("[[[1,2,3]],[[4,5,6]]]", "[2,3]")]
    [InlineData("[[1,2,3],[4,[5],6]]", "[2,3]")]
    [InlineData("[[1,2,3],[]]", "[2,3]")]
    [InlineData("[4,[5,6,7,8,9]]", "[2,3]")]
    public void Data_nested_other_than_by_its_shape_is_refused(string data, string shape)
    {
        var json = $$"""{"inputs":[{"name":"x","shape":{{shape}},"datatype":"FP32","data":{{data}}}]}""";

        var error = Assert.Throws<ModelHostException>(() => Decode(json, FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains("nested", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2,3,4,5,6]")]
    [InlineData("[[1,2,3],[4,5,6]]")]
    public void Data_is_flat_or_nested_exactly_by_its_shape(string data)
    {
        using var request = Decode($$"""{"inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":{{data}}}]}""", FloatModel);

        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], request.Inputs[0].AsSpan<float>().ToArray());
    }

    [Theory]
    [InlineData("""{"inputs":[],"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", "\"inputs\" twice")]
    [InlineData("""{"inputs":[{"name":"x","name":"y","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", "\"name\" twice")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3],"data":[4,5,6]}]}""", "\"data\" twice")]
    [InlineData("""{"instances":[[1,2,3]],"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", "both")]
    [InlineData("""{"inputs":[1,{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", "array of")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}],"outputs":["y"]}""", "array of")]
    public void Ambiguous_or_misshapen_kserve_objects_are_refused(string json, string reason)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode(json, FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> EchoingBodies()
    {
        var huge = new string('A', 5 << 20);
        return new TheoryData<string, string>
        {
            { $$"""{"inputs":[{"name":"x","shape":[1,3],"datatype":"{{huge}}","data":[1,2,3]}]}""", "unknown datatype" },
            { $$"""{"inputs":[{"name":"{{huge}}","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", "is not an input" },
            { $$"""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,"{{huge}}",3]}]}""", "its data holds" },
            { $$"""{"outputs":[{"name":"{{huge}}"}],"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}""", "is not an output" },
            { $$"""{"inputs":[{"name":"x","shape":[{{string.Join(",", Enumerable.Repeat("1", 1 << 20))}}],"datatype":"FP32","data":[1,2,3]}]}""", "does not accept" },
            { "{\"inputs\":[" + huge, "not valid JSON" },
        };
    }

    [Theory]
    [MemberData(nameof(EchoingBodies))]
    public void Errors_quote_a_short_prefix_of_what_they_echo(string json, string reason)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode(json, FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 600, $"{error.Message.Length} characters: {error.Message[..Math.Min(300, error.Message.Length)]}");
    }

    [Fact]
    public void A_long_number_is_quoted_short()
    {
        var signature = new ModelSignature([new TensorSpec("ids", TensorDataType.Int64, [-1])], [new TensorSpec("y", TensorDataType.Float, [-1])]);
        var json = $$"""{"inputs":[{"name":"ids","shape":[3],"datatype":"INT64","data":[1,{{new string('9', 1 << 20)}},3]}]}""";

        var error = Assert.Throws<ModelHostException>(() => Decode(json, signature));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains($"its data holds the number '{new string('9', 64)}...' ({1 << 20} bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_quote_says_how_long_the_original_is()
    {
        var huge = new string('A', 5 << 20);

        var error = Assert.Throws<ModelHostException>(() =>
            Decode($$"""{"inputs":[{"name":"x","shape":[1,3],"datatype":"{{huge}}","data":[1,2,3]}]}""", FloatModel));

        Assert.Contains($"'{new string('A', 64)}...' ({5 << 20} characters)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_in_a_quote_are_escaped()
    {
        var error = Assert.Throws<ModelHostException>(() =>
            Decode("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP\n32\u001b[2J","data":[1,2,3]}]}""", FloatModel));

        Assert.Contains("""'FP\n32\u001B[2J'""", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Bare_non_finite_tokens_stay_accepted_inside_data()
    {
        using var request = Decode("""{"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[NaN, Infinity ,-Infinity]}]} """, FloatModel);

        Assert.True(float.IsNaN(request.Inputs[0].AsSpan<float>()[0]));
    }

    private static DecodedRequest Decode(string body, ModelSignature signature) =>
        PayloadCodecs.Decode(PayloadFormat.KServeJson, Encoding.UTF8.GetBytes(body), signature);
}
