using Microsoft.AspNetCore.Http;
using OpenMme.Wire;
using OpenMme.Wire.Auth;

namespace OpenMme.ControlPlane.Auth;

/// <summary>
/// The front door's SigV4 verification on the control plane: the same keys, clock skew and service
/// name (<c>sagemaker</c>, which botocore signs both APIs with) as the runtime API, and the same
/// 403 codes SageMaker answers with (<c>MissingAuthenticationTokenException</c>,
/// <c>InvalidSignatureException</c>, ...). With signing off it accepts every request.
/// </summary>
internal sealed class SigV4RequestVerifier(SigV4Verifier signatures) : IRequestVerifier
{
    public ValueTask<RequestRefusal?> VerifyAsync(HttpRequest request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var check = signatures.Verify(request, body.Span);
        if (check.IsAccepted)
        {
            return ValueTask.FromResult<RequestRefusal?>(null);
        }

        var error = WireErrors.For(check.Failure);
        return ValueTask.FromResult<RequestRefusal?>(new RequestRefusal(error.Status, error.Code, check.Message));
    }
}
