namespace OpenMme.Wire.Auth;

/// <summary>The outcome of verifying one request: accepted, or refused with a reason and the message the client reads.</summary>
/// <param name="Failure">Why it was refused; <see cref="SignatureFailure.None"/> when accepted.</param>
/// <param name="Message">What the client is told; empty when accepted.</param>
public readonly record struct SignatureCheck(SignatureFailure Failure, string Message)
{
    /// <summary>An accepted request.</summary>
    public static SignatureCheck Accepted => new(SignatureFailure.None, string.Empty);

    /// <summary>True when the request may go on.</summary>
    public bool IsAccepted => Failure == SignatureFailure.None;
}
