using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace OpenMme.Wire.Auth;

/// <summary>
/// The public SigV4 test suite (aws-sig-v4-test-suite, as botocore carries it; TestData/aws4_testsuite):
/// for every case the verifier's canonical request, string to sign and signature equal the suite's,
/// it accepts the signed request, and it refuses the request with any one byte of what was signed changed.
/// The signed request is the suite's <c>.sreq</c> with its <c>.authz</c> header: in get-vanilla-with-session-token
/// the <c>.sreq</c> still carries get-vanilla's signature, while its <c>.creq</c>, <c>.sts</c> and <c>.authz</c> agree.
/// </summary>
public sealed class SigV4TestSuiteTests
{
    /// <summary>The suite's secret for <c>AKIDEXAMPLE</c>, its signing time and its folder.</summary>
    internal const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    internal static readonly DateTimeOffset SigningTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    internal static readonly string Suite = Path.Combine(AppContext.BaseDirectory, "Auth", "TestData", "aws4_testsuite");

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (var signed in Directory.EnumerateFiles(Suite, "*.sreq", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            cases.Add(Path.GetRelativePath(Suite, Path.GetDirectoryName(signed)!).Replace(Path.DirectorySeparatorChar, '/'));
        }

        return cases;
    }

    [Fact]
    public void Every_case_of_the_suite_is_here()
    {
        // 34 cases in botocore's copy; a smaller number means files went missing from the test data.
        Assert.Equal(34, Cases().Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_canonical_request_string_to_sign_and_signature_are_the_suites(string name)
    {
        var signed = RawRequest.Parse(SignedText(name));
        var trace = new SigV4Trace();

        var check = Verifier().Verify(signed.ToHttpRequest(), signed.Body, trace);

        Assert.Equal(Read(name, ".creq"), trace.CanonicalRequest);
        Assert.Equal(Read(name, ".sts"), trace.StringToSign);
        Assert.EndsWith("Signature=" + trace.Signature, Read(name, ".authz"), StringComparison.Ordinal);
        Assert.True(check.IsAccepted, check.Message);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_signed_request_is_refused_with_any_one_signed_byte_changed(string name)
    {
        var text = SignedText(name);
        var signed = RawRequest.Parse(text);
        var verifier = Verifier();
        var canonical = Read(name, ".creq");
        var refused = 0;
        foreach (var position in SignedPositions(text, signed))
        {
            var changed = new StringBuilder(text) { [position] = text[position] == 'x' ? 'y' : 'x' }.ToString();
            var request = RawRequest.Parse(changed);
            var trace = new SigV4Trace();

            var check = verifier.Verify(request.ToHttpRequest(), request.Body, trace);

            if (check.IsAccepted)
            {
                // Only a path segment that a '..' removes is not signed: the canonical request is the same.
                Assert.True(trace.CanonicalRequest == canonical && text.IndexOf("..", StringComparison.Ordinal) > position,
                    $"{name}: accepted with '{text[position]}' at {position} changed: {changed}");
                continue;
            }

            refused++;
        }

        Assert.True(refused > 20, $"{name}: only {refused} changes refused");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_changed_signature_is_refused_as_invalid(string name)
    {
        var text = SignedText(name);
        var at = text.IndexOf("Signature=", StringComparison.Ordinal) + "Signature=".Length + 10;
        var changed = RawRequest.Parse(new StringBuilder(text) { [at] = text[at] == '0' ? '1' : '0' }.ToString());

        var check = Verifier().Verify(changed.ToHttpRequest(), changed.Body, null);

        Assert.Equal(SignatureFailure.Invalid, check.Failure);
        Assert.StartsWith("The request signature we calculated does not match the signature you provided.", check.Message, StringComparison.Ordinal);
    }

    private static SigV4Verifier Verifier() => new(
        new RequestSigningSettings
        {
            Mode = AuthMode.SigV4,
            AccessKeys = new Dictionary<string, string> { ["AKIDEXAMPLE"] = Secret },
            Service = "service",
        },
        new FakeTimeProvider(SigningTime));

    /// <summary>The <c>.sreq</c> with the <c>.authz</c> line as its Authorization header.</summary>
    private static string SignedText(string name)
    {
        var text = Read(name, ".sreq");
        var start = text.IndexOf("\nAuthorization: ", StringComparison.Ordinal) + 1;
        var end = text.IndexOf('\n', start);
        return text[..start] + "Authorization: " + Read(name, ".authz") + (end < 0 ? string.Empty : text[end..]);
    }

    private static string Read(string name, string extension) =>
        File.ReadAllText(Path.Combine(Suite, name, Path.GetFileName(name) + extension), Encoding.UTF8);

    /// <summary>
    /// Offsets in the text of every character the signature covers: method, target, the values of
    /// signed headers and the body (not header names, whose case is not signed, nor folding white space).
    /// </summary>
    private static IEnumerable<int> SignedPositions(string text, RawRequest signed)
    {
        // The request line but for the spaces that separate its parts and the target's first '/' (Kestrel
        // hands over no other origin-form target).
        var requestLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        var firstSpace = text.IndexOf(' ', StringComparison.Ordinal);
        var lastSpace = text.LastIndexOf(' ', requestLineEnd);
        for (var i = 0; i < lastSpace; i++)
        {
            if (i != firstSpace && i != firstSpace + 1)
            {
                yield return i;
            }
        }

        var authorization = signed.Headers.Single(h => h.Key == "Authorization").Value;
        var signedHeaders = authorization[(authorization.IndexOf("SignedHeaders=", StringComparison.Ordinal) + 14)..].Split(',')[0].Split(';');
        var bodyStart = text.IndexOf("\n\n", StringComparison.Ordinal);
        var lineStart = requestLineEnd + 1;
        while (lineStart < (bodyStart < 0 ? text.Length : bodyStart))
        {
            var lineEnd = text.IndexOf('\n', lineStart);
            lineEnd = lineEnd < 0 ? text.Length : lineEnd;
            var colon = text.IndexOf(':', lineStart);
            if (colon > lineStart && colon < lineEnd && text[lineStart] is not (' ' or '\t')
                && signedHeaders.Contains(text[lineStart..colon].ToLowerInvariant()))
            {
                for (var i = colon + 1; i < lineEnd; i++)
                {
                    // Leading white space of a value is not signed (values are trimmed).
                    if (!(i == colon + 1 && text[i] == ' '))
                    {
                        yield return i;
                    }
                }
            }

            lineStart = lineEnd + 1;
        }

        if (bodyStart >= 0)
        {
            for (var i = bodyStart + 2; i < text.Length; i++)
            {
                yield return i;
            }
        }
    }
}
