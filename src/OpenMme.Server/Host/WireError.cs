namespace OpenMme.Host;

/// <summary>How a failure travels on the SageMaker wire: HTTP status and <c>x-amzn-ErrorType</c> code.</summary>
internal readonly record struct WireError(int Status, string Code);
