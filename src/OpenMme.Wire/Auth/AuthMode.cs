namespace OpenMme.Wire.Auth;

/// <summary>Whether requests must carry an AWS Signature Version 4 (<c>--auth</c>).</summary>
public enum AuthMode
{
    /// <summary>
    /// Verify when access keys are configured; with none, serve unsigned requests on a loopback
    /// address and refuse to start on any other.
    /// </summary>
    Auto,

    /// <summary>Always verify; access keys must be configured.</summary>
    SigV4,

    /// <summary>Never verify, even on a network address or with keys configured.</summary>
    None,
}
