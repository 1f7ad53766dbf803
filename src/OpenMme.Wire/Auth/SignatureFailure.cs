namespace OpenMme.Wire.Auth;

/// <summary>Why a request's signature was refused; <see cref="WireErrors.For(SignatureFailure)"/> maps each to its wire error.</summary>
public enum SignatureFailure
{
    /// <summary>The signature was accepted (or verification is off).</summary>
    None,

    /// <summary>No <c>Authorization</c> header at all: <c>MissingAuthenticationTokenException</c>.</summary>
    Missing,

    /// <summary>An <c>Authorization</c> header that lacks a part, or a date header it needs: <c>IncompleteSignatureException</c>.</summary>
    Incomplete,

    /// <summary>An access key id that is not configured: <c>UnrecognizedClientException</c>.</summary>
    UnknownAccessKey,

    /// <summary>A signature that does not match, a wrong scope, a stale date or a tampered body: <c>InvalidSignatureException</c>.</summary>
    Invalid,
}
