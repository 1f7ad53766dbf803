namespace OpenMme.Wire.Auth;

/// <summary>
/// The parts of an <c>Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
/// SignedHeaders=a;b, Signature=HEX</c> header, as slices of the header's text.
/// </summary>
internal readonly ref struct SigV4Authorization
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The access key id.</summary>
    public ReadOnlySpan<char> AccessKeyId { get; init; }

    /// <summary>The credential without its key id: <c>DATE/REGION/SERVICE/aws4_request</c>, the string to sign's scope.</summary>
    public ReadOnlySpan<char> Scope { get; init; }

    /// <summary>The whole credential (key id and scope), which names one signing key.</summary>
    public ReadOnlySpan<char> Credential { get; init; }

    public ReadOnlySpan<char> Date { get; init; }

    public ReadOnlySpan<char> Region { get; init; }

    public ReadOnlySpan<char> Service { get; init; }

    public ReadOnlySpan<char> Terminator { get; init; }

    /// <summary>Lowercase header names separated by <c>;</c>, as signed.</summary>
    public ReadOnlySpan<char> SignedHeaders { get; init; }

    /// <summary>The signature in hexadecimal.</summary>
    public ReadOnlySpan<char> Signature { get; init; }

    /// <summary>True when <paramref name="name"/> (lowercase) is among the signed headers.</summary>
    public bool Signs(ReadOnlySpan<char> name)
    {
        foreach (var range in SignedHeaders.Split(';'))
        {
            if (SignedHeaders[range].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses the header; on failure <paramref name="problem"/> says what is missing, in AWS's words where AWS has them.</summary>
    public static bool TryParse(string header, out SigV4Authorization authorization, out string? problem)
    {
        authorization = default;
        problem = null;
        var text = header.AsSpan().Trim();
        var space = text.IndexOf(' ');
        var algorithm = space < 0 ? text : text[..space];
        if (!algorithm.SequenceEqual(Algorithm))
        {
            problem = $"Unsupported AWS 'algorithm': '{algorithm}'. Sign requests with {Algorithm}. Authorization={header}";
            return false;
        }

        ReadOnlySpan<char> credential = default, signedHeaders = default, signature = default;
        var rest = space < 0 ? [] : text[(space + 1)..];
        foreach (var range in rest.Split(','))
        {
            var part = rest[range].Trim();
            var equals = part.IndexOf('=');
            if (equals < 0)
            {
                continue;
            }

            var name = part[..equals];
            var value = part[(equals + 1)..];
            if (name.SequenceEqual("Credential"))
            {
                credential = value;
            }
            else if (name.SequenceEqual("SignedHeaders"))
            {
                signedHeaders = value;
            }
            else if (name.SequenceEqual("Signature"))
            {
                signature = value;
            }
        }

        if (credential.IsEmpty || signedHeaders.IsEmpty || signature.IsEmpty)
        {
            problem = (credential.IsEmpty ? "Authorization header requires 'Credential' parameter. " : string.Empty)
                + (signature.IsEmpty ? "Authorization header requires 'Signature' parameter. " : string.Empty)
                + (signedHeaders.IsEmpty ? "Authorization header requires 'SignedHeaders' parameter. " : string.Empty)
                + $"Authorization={header}";
            return false;
        }

        Span<Range> parts = stackalloc Range[6];
        if (credential.Split(parts, '/') != 5)
        {
            problem = $"Credential should have the form ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request, not '{credential}'. Authorization={header}";
            return false;
        }

        authorization = new SigV4Authorization
        {
            Credential = credential,
            AccessKeyId = credential[parts[0]],
            Scope = credential[parts[1].Start..],
            Date = credential[parts[1]],
            Region = credential[parts[2]],
            Service = credential[parts[3]],
            Terminator = credential[parts[4]],
            SignedHeaders = signedHeaders,
            Signature = signature,
        };
        return true;
    }
}
