using Microsoft.AspNetCore.Http;

namespace OpenMme.ControlPlane.Auth;

/// <summary>
/// The seam where request authentication plugs in (AWS SigV4 verification, built separately): every
/// control-plane request, with its body read, is shown to each registered verifier before any
/// operation runs. With none registered, every request is accepted, as on a loopback-only <c>serve</c>.
/// </summary>
public interface IRequestVerifier
{
    /// <summary>Accepts the request (null) or refuses it with the error to answer.</summary>
    ValueTask<RequestRefusal?> VerifyAsync(HttpRequest request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}

/// <summary>Why a request was refused: the status (403 for a bad signature), and the <c>__type</c> and message SageMaker answers with.</summary>
public sealed record RequestRefusal(int Status, string Type, string Message);
