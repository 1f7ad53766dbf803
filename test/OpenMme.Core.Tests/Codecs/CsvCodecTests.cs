using System.Text;
using OpenMme.Failures;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

public sealed class CsvCodecTests
{
    private static readonly ModelSignature FloatModel = new(
        [new TensorSpec("x", TensorDataType.Float, [-1, 3])],
        [new TensorSpec("y", TensorDataType.Float, [-1, 2])]);

    private static readonly ModelSignature DoubleModel = new(
        [new TensorSpec("x", TensorDataType.Double, [-1, 3])],
        [new TensorSpec("y", TensorDataType.Double, [-1, 2])]);

    [Fact]
    public void Rows_may_end_in_crlf_and_cells_may_carry_spaces()
    {
        using var request = Decode("1, 2 ,3\r\n\r\n4,5.5,-6e0\r\n", DoubleModel);

        Assert.Equal([2L, 3L], request.Inputs[0].Shape);
        Assert.Equal([1d, 2d, 3d, 4d, 5.5d, -6d], request.Inputs[0].AsSpan<double>().ToArray());
    }

    [Fact]
    public void Non_finite_cells_are_read()
    {
        using var request = Decode("0.1,-Infinity,NaN\n", FloatModel);

        var values = request.Inputs[0].AsSpan<float>().ToArray();
        Assert.Equal(0.1f, values[0]);
        Assert.Equal(float.NegativeInfinity, values[1]);
        Assert.True(float.IsNaN(values[2]));
    }

    [Theory]
    [InlineData("1,2,3\n4,5\n", "2 columns")]
    [InlineData("1,2,x\n", "'x'")]
    [InlineData("1,,3\n", "''")]
    [InlineData("1,2\n3,4\n", "rows have 2 columns; the model's inputs take 3 (x: 3 FP32)")]
    public void Bad_csv_is_a_payload_error(string csv, string reason)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode(csv, FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_cell_is_quoted_short()
    {
        var error = Assert.Throws<ModelHostException>(() => Decode("1,2," + new string('z', 5 << 20) + "\n", FloatModel));

        Assert.Contains($"({5 << 20} bytes)", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 600, error.Message[..Math.Min(300, error.Message.Length)]);
    }

    [Fact]
    public void Invalid_utf8_in_a_cell_is_a_payload_error()
    {
        var error = Assert.Throws<ModelHostException>(() => PayloadCodecs.Decode(PayloadFormat.Csv, [(byte)'1', (byte)',', 0xFF, (byte)',', (byte)'3'], FloatModel));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
    }

    private static DecodedRequest Decode(string csv, ModelSignature signature) =>
        PayloadCodecs.Decode(PayloadFormat.Csv, Encoding.UTF8.GetBytes(csv), signature);
}
