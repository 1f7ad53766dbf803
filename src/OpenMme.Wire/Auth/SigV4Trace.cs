namespace OpenMme.Wire.Auth;

/// <summary>What a verification computed, for tests against the SigV4 test suite.</summary>
internal sealed class SigV4Trace
{
    public string CanonicalRequest { get; set; } = string.Empty;

    public string StringToSign { get; set; } = string.Empty;

    public string Signature { get; set; } = string.Empty;
}
