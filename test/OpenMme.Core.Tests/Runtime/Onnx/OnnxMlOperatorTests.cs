using System.Buffers;
using System.Text;
using System.Text.Json;
using OpenMme.Codecs;
using OpenMme.TestSupport;

namespace OpenMme.Runtime.Onnx;

/// <summary>
/// Every <c>ai.onnx.ml</c> operator ONNX Runtime runs, one small graph each (test/classic-ml/operators,
/// written by operators.py with numpy references): the request is decoded from KServe v2 JSON (maps
/// with <c>parameters.keys</c>), the model runs, and the KServe v2 answer carries every output with
/// its datatype, shape, values and keys.
/// </summary>
public sealed class OnnxMlOperatorTests
{
    private static readonly string Folder = Path.Combine(Repository.Root(), "test", "classic-ml", "operators");

    public static TheoryData<string> Operators
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var directory in Directory.EnumerateDirectories(Folder).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(directory));
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public async Task Operator_runs_and_answers_its_reference(string name)
    {
        var folder = Path.Combine(Folder, name);
        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "case.json")));
        var tolerance = expected.RootElement.GetProperty("tolerance").GetDouble();
        using var model = await new OnnxModelRuntime(new OnnxRuntimeOptions()).LoadAsync(Path.Combine(folder, "model.onnx"), CancellationToken.None);
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { inputs = expected.RootElement.GetProperty("inputs") }));

        using var request = PayloadCodecs.Decode("application/json", body, model.Signature);
        using var outputs = model.Run(request.Inputs);
        var answer = new ArrayBufferWriter<byte>();
        PayloadCodecs.Encode(PayloadFormat.KServeJson, answer, name, request, outputs);

        using var actual = JsonDocument.Parse(answer.WrittenMemory);
        var got = actual.RootElement.GetProperty("outputs").EnumerateArray().ToArray();
        var want = expected.RootElement.GetProperty("outputs").EnumerateArray().ToArray();
        Assert.Equal(want.Select(o => o.GetProperty("name").GetString()), got.Select(o => o.GetProperty("name").GetString()));
        for (var i = 0; i < want.Length; i++)
        {
            var output = want[i].GetProperty("name").GetString();
            Assert.Equal(want[i].GetProperty("datatype").GetString(), got[i].GetProperty("datatype").GetString());
            Assert.Equal(Longs(want[i].GetProperty("shape")), Longs(got[i].GetProperty("shape")));
            AssertValues($"{name} {output} data", want[i].GetProperty("data"), got[i].GetProperty("data"), tolerance);
            if (want[i].TryGetProperty("parameters", out var parameters))
            {
                AssertValues($"{name} {output} keys", parameters.GetProperty("keys"), got[i].GetProperty("parameters").GetProperty("keys"), 0);
            }
        }
    }

    [Fact]
    public async Task A_map_input_without_keys_is_refused_as_a_payload_error()
    {
        using var model = await new OnnxModelRuntime(new OnnxRuntimeOptions()).LoadAsync(Path.Combine(Folder, "DictVectorizer", "model.onnx"), CancellationToken.None);
        var body = """{"inputs":[{"name":"X","datatype":"FP32","shape":[2],"data":[1,2]}]}"""u8.ToArray();

        var error = Assert.Throws<Failures.ModelHostException>(() => PayloadCodecs.Decode("application/json", body, model.Signature));

        Assert.Equal(Failures.FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains("is a map", error.Message, StringComparison.Ordinal);
        Assert.Contains("X: map(BYTES,FP32)", error.Message, StringComparison.Ordinal);
    }

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(d => d.GetInt64()).ToArray();

    private static void AssertValues(string what, JsonElement want, JsonElement got, double tolerance)
    {
        var expected = want.EnumerateArray().ToArray();
        var actual = got.EnumerateArray().ToArray();
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i].ValueKind == JsonValueKind.Number && expected[i].GetRawText().Contains('.', StringComparison.Ordinal))
            {
                var difference = Math.Abs(expected[i].GetDouble() - actual[i].GetDouble());
                Assert.True(difference <= tolerance, $"{what}[{i}]: {actual[i].GetRawText()} vs {expected[i].GetRawText()}");
            }
            else
            {
                Assert.True(expected[i].GetRawText() == actual[i].GetRawText() || (expected[i].ValueKind == JsonValueKind.Number && expected[i].GetDouble() == actual[i].GetDouble()),
                    $"{what}[{i}]: {actual[i].GetRawText()} vs {expected[i].GetRawText()}");
            }
        }
    }
}
