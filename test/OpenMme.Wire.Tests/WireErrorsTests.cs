using System.Text;
using OpenMme.Wire.Auth;

namespace OpenMme.Wire;

/// <summary>A refused signature as each SageMaker protocol carries it: REST-JSON (runtime API) and JSON 1.1 (control plane).</summary>
public sealed class WireErrorsTests
{
    [Theory]
    [InlineData(SignatureFailure.Missing, "MissingAuthenticationTokenException")]
    [InlineData(SignatureFailure.Incomplete, "IncompleteSignatureException")]
    [InlineData(SignatureFailure.UnknownAccessKey, "UnrecognizedClientException")]
    [InlineData(SignatureFailure.Invalid, "InvalidSignatureException")]
    public void Every_refused_signature_is_a_403_with_AWS_code(SignatureFailure failure, string code)
    {
        Assert.Equal(new WireError(403, code), WireErrors.For(failure));
    }

    [Fact]
    public async Task On_the_runtime_API_the_code_is_in_the_header_and_the_body_has_the_message()
    {
        var (context, body) = Context();

        await WireErrors.WriteAsync(context, new SignatureCheck(SignatureFailure.Invalid, "Signature expired: \"x\""), WireSurface.RuntimeApi);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("InvalidSignatureException", context.Response.Headers["x-amzn-ErrorType"]);
        Assert.Equal("{\"message\":\"Signature expired: \\\"x\\\"\"}", Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task On_the_control_plane_the_body_also_has_the_type()
    {
        var (context, body) = Context();

        await WireErrors.WriteAsync(context, new SignatureCheck(SignatureFailure.UnknownAccessKey, "The security token included in the request is invalid."), WireSurface.ControlPlane);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("{\"__type\":\"UnrecognizedClientException\",\"message\":\"The security token included in the request is invalid.\"}", Encoding.UTF8.GetString(body.ToArray()));
    }

    private static (DefaultHttpContext Context, MemoryStream Body) Context()
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context, body);
    }
}
