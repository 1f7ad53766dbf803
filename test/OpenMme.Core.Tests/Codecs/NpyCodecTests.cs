using System.Text;
using OpenMme.Failures;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>The NPY header is a Python dict literal with exactly three keys; anything else is refused, as NumPy refuses it.</summary>
public sealed class NpyCodecTests
{
    private static readonly ModelSignature FloatModel = new(
        [new TensorSpec("x", TensorDataType.Float, [-1, 3])],
        [new TensorSpec("y", TensorDataType.Float, [-1, 2])]);

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")]
    [InlineData("{'descr':'<f4','fortran_order':False,'shape':(2,3)}")]
    [InlineData("{\"descr\": \"<f4\", \"shape\": (2, 3), \"fortran_order\": False}")]
    [InlineData("{'shape': (2L, 3L), 'descr': '=f4', 'fortran_order': False}")]
    public void Headers_numpy_writes_are_read(string header)
    {
        using var request = Decode(Npy(header, 6));

        Assert.Equal([2L, 3L], request.Inputs[0].Shape);
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], request.Inputs[0].AsSpan<float>().ToArray());
    }

    [Theory]
    [InlineData("{'fortran_order': False, 'shape': (2, 3), 'descr': '<f4}", "never closed")]
    [InlineData("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), }", "','")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", "'}'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3", "')'")]
    [InlineData("'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", "'{'")]
    [InlineData("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}", "'descr' twice")]
    [InlineData("{'descr': '<f4', 'shape': (2, 3), 'shape': (2, 3), 'fortran_order': False}", "'shape' twice")]
    [InlineData("{'descr': '<f4', 'shape': (2, 3)}", "no 'fortran_order'")]
    [InlineData("{'fortran_order': False, 'shape': (2, 3)}", "no 'descr'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "no 'shape'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", "'extra'")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}", "True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", "tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", "tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3)}", "tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", "tuple")]
    [InlineData("{'descr': '<<f4', 'fortran_order': False, 'shape': (2, 3)}", "not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x", "after")]
    [InlineData("{'descr': '<f4', 'fortran_order': False 'shape': (2, 3)}", "','")]
    public void Malformed_headers_are_refused(string header, string reason)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode(Npy(header, 6)));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fortran_ordered_array_is_refused()
    {
        var error = Assert.Throws<ModelHostException>(() => Decode(Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}", 6)));

        Assert.Contains("Fortran order", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(4611686018427387904, 3)")]
    [InlineData("(99999999999999999999, 3)")]
    [InlineData("(3074457345618258603, 3)")]
    [InlineData("(768614336404564651, 3)")]
    public void A_shape_too_large_for_any_body_is_a_payload_error(string shape)
    {
        var error = Assert.Throws<ModelHostException>(() => Decode(Npy($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}}}", 6)));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
    }

    [Fact]
    public void A_long_dtype_is_quoted_short()
    {
        var descr = new string('f', 60_000);

        var error = Assert.Throws<ModelHostException>(() => Decode(Npy($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2, 3)}}", 6, major: 2)));

        Assert.Equal(FailureKind.ModelRejectedInput, error.Kind);
        Assert.Contains("(60000 characters)", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 600, error.Message[..Math.Min(300, error.Message.Length)]);
    }

    private static DecodedRequest Decode(byte[] body) => PayloadCodecs.Decode(PayloadFormat.Npy, body, FloatModel);

    /// <summary>An NPY body with <paramref name="header"/> verbatim and <paramref name="count"/> floats 0, 1, 2...</summary>
    private static byte[] Npy(string header, int count, int major = 1)
    {
        var text = Encoding.ASCII.GetBytes(header + "\n");
        using var body = new MemoryStream();
        body.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        if (major == 1)
        {
            body.Write(BitConverter.GetBytes((ushort)text.Length));
        }
        else
        {
            body.Write(BitConverter.GetBytes((uint)text.Length));
        }

        body.Write(text);
        for (var i = 0; i < count; i++)
        {
            body.Write(BitConverter.GetBytes((float)i));
        }

        return body.ToArray();
    }
}
