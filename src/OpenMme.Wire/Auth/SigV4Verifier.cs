using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace OpenMme.Wire.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 (<c>Authorization: AWS4-HMAC-SHA256 ...</c>) on a request whose body
/// has been read: credential scope, date within the clock-skew window, payload hash over the actual body,
/// canonical request and signature, compared in constant time. Every role that answers SageMaker
/// clients (host, router, control plane) calls it before doing anything for the request.
/// </summary>
public sealed class SigV4Verifier
{
    /// <summary>Longest region accepted in a credential scope.</summary>
    public const int MaxScopePartLength = 64;

    /// <summary>The last part of every credential scope.</summary>
    internal const string Terminator = "aws4_request";
    /// <summary>The form of <c>X-Amz-Date</c>.</summary>
    internal const string IsoBasicFormat = "yyyyMMdd'T'HHmmss'Z'";

    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _secrets;
    private readonly SigningKeyCache _signingKeys = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _skew;
    private readonly string _service;

    /// <summary>A verifier with <paramref name="settings"/>' keys; <paramref name="time"/> is the clock dates are checked against.</summary>
    public SigV4Verifier(RequestSigningSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        _secrets = new Dictionary<string, string>(settings.AccessKeys, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _time = time;
        _skew = settings.ClockSkew;
        _service = settings.Service;
        IsEnabled = settings.IsEnabled;
    }

    /// <summary>False when every request is accepted unsigned.</summary>
    public bool IsEnabled { get; }

    internal SigningKeyCache SigningKeys => _signingKeys;

    /// <summary>Verifies <paramref name="request"/>, whose body is <paramref name="body"/>.</summary>
    public SignatureCheck Verify(HttpRequest request, ReadOnlySpan<byte> body) => IsEnabled ? Verify(request, body, null) : SignatureCheck.Accepted;

    /// <summary>Verifies, and when <paramref name="trace"/> is given records what was computed (tests compare it to the SigV4 test suite).</summary>
    internal SignatureCheck Verify(HttpRequest request, ReadOnlySpan<byte> body, SigV4Trace? trace)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.Headers;
        var authorizationValues = headers.Authorization;
        if (authorizationValues.Count == 0)
        {
            return new(SignatureFailure.Missing, "Missing Authentication Token");
        }

        var header = authorizationValues.ToString();
        if (!SigV4Authorization.TryParse(header, out var authorization, out var problem))
        {
            return new(SignatureFailure.Incomplete, problem!);
        }

        if (!_secrets.TryGetValue(authorization.AccessKeyId, out var secret))
        {
            return new(SignatureFailure.UnknownAccessKey, "The security token included in the request is invalid.");
        }

        if (ScopeProblem(authorization, header) is { } scopeProblem)
        {
            return scopeProblem;
        }

        if (!authorization.Signs("host"))
        {
            return new(SignatureFailure.Incomplete, $"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization. Authorization={header}");
        }

        if (CheckDate(headers, authorization, header, out var dateTime) is { } dateProblem)
        {
            return dateProblem;
        }

        Span<byte> bodyHash = stackalloc byte[32];
        SHA256.HashData(body, bodyHash);
        var declaredHash = headers["x-amz-content-sha256"];
        if (declaredHash.Count > 0 && !HashEquals(declaredHash, bodyHash))
        {
            return new(SignatureFailure.Invalid, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        return CheckSignature(request, authorization, secret, dateTime, bodyHash, declaredHash, trace);
    }

    private SignatureCheck CheckSignature(HttpRequest request, scoped in SigV4Authorization authorization, string secret, ReadOnlySpan<char> dateTime,
        ReadOnlySpan<byte> bodyHash, StringValues declaredHash, SigV4Trace? trace)
    {
        Span<byte> payloadHash = stackalloc byte[64];
        if (declaredHash.Count > 0)
        {
            // Signed as the client wrote it (hexadecimal in either case); it matched the body above.
            var declared = declaredHash.ToString();
            for (var i = 0; i < payloadHash.Length; i++)
            {
                payloadHash[i] = (byte)declared[i];
            }
        }
        else
        {
            ByteBuilder.WriteHex(bodyHash, payloadHash);
        }

        Span<byte> canonicalInitial = stackalloc byte[1024];
        var canonical = new ByteBuilder(canonicalInitial);
        Span<byte> stringToSignInitial = stackalloc byte[256];
        var stringToSign = new ByteBuilder(stringToSignInitial);
        try
        {
            CanonicalRequest.Write(ref canonical, request, authorization, payloadHash);
            Span<byte> canonicalHash = stackalloc byte[32];
            SHA256.HashData(canonical.Written, canonicalHash);
            stringToSign.Append(SigV4Authorization.Algorithm);
            stringToSign.Append((byte)'\n');
            stringToSign.Append(dateTime);
            stringToSign.Append((byte)'\n');
            stringToSign.Append(authorization.Scope);
            stringToSign.Append((byte)'\n');
            stringToSign.AppendHex(canonicalHash);

            Span<byte> signingKey = stackalloc byte[SigningKeyCache.KeyBytes];
            var cached = _signingKeys.Get(authorization, secret, signingKey);
            Span<byte> expected = stackalloc byte[32];
            HMACSHA256.HashData(signingKey, stringToSign.Written, expected);
            if (trace is not null)
            {
                trace.CanonicalRequest = canonical.ToString();
                trace.StringToSign = stringToSign.ToString();
                trace.Signature = Convert.ToHexStringLower(expected);
            }

            Span<byte> provided = stackalloc byte[32];
            var matches = Convert.FromHexString(authorization.Signature, provided, out _, out var written) == OperationStatus.Done
                && written == provided.Length
                && CryptographicOperations.FixedTimeEquals(expected, provided);
            if (!matches)
            {
                return new(SignatureFailure.Invalid, "The request signature we calculated does not match the signature you provided. "
                    + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                    + $"The Canonical String for this request should have been\n'{canonical.ToString()}'\n\nThe String-to-Sign should have been\n'{stringToSign.ToString()}'\n");
            }

            if (!cached)
            {
                _signingKeys.Keep(authorization, signingKey);
            }

            return SignatureCheck.Accepted;
        }
        finally
        {
            canonical.Dispose();
            stringToSign.Dispose();
        }
    }

    private SignatureCheck? ScopeProblem(scoped in SigV4Authorization authorization, string header)
    {
        if (!authorization.Service.SequenceEqual(_service))
        {
            return new(SignatureFailure.Invalid, $"Credential should be scoped to correct service: '{_service}'.");
        }

        if (!authorization.Terminator.SequenceEqual(Terminator))
        {
            return new(SignatureFailure.Invalid, $"Credential should be scoped with a valid terminator: '{Terminator}', not '{authorization.Terminator}'.");
        }

        if (authorization.Region.IsEmpty || authorization.Region.Length > MaxScopePartLength)
        {
            return new(SignatureFailure.Invalid, $"Credential should be scoped to a valid region, not '{authorization.Region}'.");
        }

        if (authorization.Date.Length != 8 || !IsDigits(authorization.Date))
        {
            return new(SignatureFailure.Incomplete, $"Credential should be scoped to a date in the form YYYYMMDD, not '{authorization.Date}'. Authorization={header}");
        }

        return null;
    }

    /// <summary>
    /// Finds the signed request time (<c>X-Amz-Date</c>, else <c>Date</c>), which must be signed, match the
    /// credential's day and lie within the clock-skew window; <paramref name="dateTime"/> gets it in ISO 8601 basic form.
    /// </summary>
    private SignatureCheck? CheckDate(IHeaderDictionary headers, scoped in SigV4Authorization authorization, string header, out ReadOnlySpan<char> dateTime)
    {
        dateTime = default;
        DateTimeOffset time;
        var amzDate = headers["x-amz-date"];
        if (amzDate.Count > 0)
        {
            if (!authorization.Signs("x-amz-date"))
            {
                return new(SignatureFailure.Incomplete, $"'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization. Authorization={header}");
            }

            var text = amzDate.ToString();
            if (!DateTimeOffset.TryParseExact(text, IsoBasicFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
            {
                return new(SignatureFailure.Incomplete, $"Date must be in ISO-8601 'basic format'. Got '{text}'. See http://en.wikipedia.org/wiki/ISO_8601");
            }

            dateTime = text;
        }
        else if (headers.Date.Count > 0)
        {
            if (!authorization.Signs("date"))
            {
                return new(SignatureFailure.Incomplete, $"'Date' must be a 'SignedHeader' in the AWS Authorization. Authorization={header}");
            }

            if (!DateTimeOffset.TryParseExact(headers.Date.ToString(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
            {
                return new(SignatureFailure.Incomplete, $"The Date header must be an HTTP date such as 'Sun, 30 Aug 2015 12:36:00 GMT', not '{headers.Date}'.");
            }

            dateTime = time.ToString(IsoBasicFormat, CultureInfo.InvariantCulture);
        }
        else
        {
            return new(SignatureFailure.Incomplete, $"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={header}");
        }

        if (!authorization.Date.SequenceEqual(dateTime[..8]))
        {
            return new(SignatureFailure.Invalid,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{authorization.Date}' != '{dateTime[..8]}', from '{dateTime}'.");
        }

        var now = _time.GetUtcNow();
        if (time < now - _skew)
        {
            return new(SignatureFailure.Invalid, $"Signature expired: {dateTime} is now earlier than {Iso(now - _skew)} ({Iso(now)} - {_skew.TotalMinutes:0} min.)");
        }

        if (time > now + _skew)
        {
            return new(SignatureFailure.Invalid, $"Signature not yet current: {dateTime} is still later than {Iso(now + _skew)} ({Iso(now)} + {_skew.TotalMinutes:0} min.)");
        }

        return null;
    }

    // Span's ContainsAnyExceptInRange allocates on every call in .NET 10 (96 bytes, measured): a loop does not.
    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Iso(DateTimeOffset time) => time.ToString(IsoBasicFormat, CultureInfo.InvariantCulture);

    private static bool HashEquals(StringValues declared, ReadOnlySpan<byte> hash)
    {
        Span<byte> parsed = stackalloc byte[32];
        return declared.Count == 1
            && Convert.FromHexString(declared.ToString(), parsed, out _, out var written) == OperationStatus.Done
            && written == parsed.Length
            && parsed.SequenceEqual(hash);
    }
}
