namespace OpenMme.Failures;

/// <summary>A failure a client can act on; its message is safe to send on the wire.</summary>
public sealed class ModelHostException(FailureKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The kind of failure, mapped to a wire error by the server.</summary>
    public FailureKind Kind { get; } = kind;
}
