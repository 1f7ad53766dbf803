namespace OpenMme.Wire;

/// <summary>How a failure travels on the SageMaker wire: HTTP status and <c>x-amzn-ErrorType</c> code.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Code">The <c>x-amzn-ErrorType</c> code.</param>
/// <param name="ModelErrorCode">
/// For a <c>ModelError</c>, the body's <c>ErrorCode</c> (<c>CLIENT_ERROR_FROM_MODEL</c> or
/// <c>INTERNAL_FAILURE_FROM_MODEL</c>); null for every other code.
/// </param>
/// <param name="OriginalStatus">For a <c>ModelError</c>, the status the model's container answered with.</param>
public readonly record struct WireError(int Status, string Code, string? ModelErrorCode = null, int OriginalStatus = 0);
