using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OpenMme.Wire.Auth;

/// <summary>
/// Writes SigV4's canonical request for a service other than S3: method, normalised and
/// URI-encoded path, sorted query, signed headers with trimmed values, signed header list and
/// payload hash, each on its own line.
/// </summary>
internal static class CanonicalRequest
{
    // Header names SageMaker clients sign, so looking one up allocates no string.
    private static readonly string[] KnownHeaders =
    [
        "host", "x-amz-date", "content-type", "content-length", "accept", "x-amz-target", "x-amz-content-sha256", "x-amz-security-token",
        "x-amz-user-agent", "amz-sdk-invocation-id", "amz-sdk-request", "content-encoding", "date", "x-amz-api-version",
        "x-amzn-sagemaker-target-model", "x-amzn-sagemaker-custom-attributes", "x-amzn-sagemaker-inference-id", "x-amzn-sagemaker-target-variant",
        "x-amzn-sagemaker-target-container-hostname", "x-amzn-sagemaker-inference-component", "x-amzn-sagemaker-session-id",
        "x-amzn-sagemaker-enable-explanations",
    ];

    public static void Write(ref ByteBuilder output, HttpRequest request, scoped in SigV4Authorization authorization, scoped ReadOnlySpan<byte> payloadHash)
    {
        var target = RawTarget(request);
        var question = target.IndexOf('?');
        output.Append(request.Method);
        output.Append((byte)'\n');
        WritePath(ref output, question < 0 ? target : target[..question]);
        output.Append((byte)'\n');
        WriteQuery(ref output, question < 0 ? [] : target[(question + 1)..]);
        output.Append((byte)'\n');
        WriteHeaders(ref output, request.Headers, authorization.SignedHeaders);
        output.Append((byte)'\n');
        output.Append(authorization.SignedHeaders);
        output.Append((byte)'\n');
        output.Append(payloadHash);
    }

    /// <summary>The request target as the client sent it (still percent-encoded), which is what it signed.</summary>
    private static ReadOnlySpan<char> RawTarget(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return raw is { Length: > 0 } && raw[0] == '/'
            ? raw
            : (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
    }

    /// <summary>
    /// Empty and <c>.</c> segments dropped, <c>..</c> removing the one before, each segment URI-encoded
    /// (again: the path on the wire is encoded once, and services other than S3 sign it encoded twice),
    /// a trailing slash kept.
    /// </summary>
    private static void WritePath(ref ByteBuilder output, ReadOnlySpan<char> path)
    {
        var count = path.Count('/') + 1;
        Span<Range> segments = count <= 64 ? stackalloc Range[count] : new Range[count];
        var kept = 0;
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.IsEmpty || segment is ".")
            {
                continue;
            }

            if (segment is "..")
            {
                kept = Math.Max(0, kept - 1);
                continue;
            }

            segments[kept++] = range;
        }

        output.Append((byte)'/');
        for (var i = 0; i < kept; i++)
        {
            if (i > 0)
            {
                output.Append((byte)'/');
            }

            output.AppendUriEncoded(path[segments[i]]);
        }

        if (kept > 0 && path.EndsWith('/'))
        {
            output.Append((byte)'/');
        }
    }

    /// <summary>Each name and value decoded and URI-encoded again, sorted by name, then value; a name without <c>=</c> gets an empty value.</summary>
    private static void WriteQuery(ref ByteBuilder output, ReadOnlySpan<char> query)
    {
        if (query.IsEmpty)
        {
            return;
        }

        // Runtime API and control plane requests carry no query: this rare path may allocate.
        var pairs = new List<(string Name, string Value)>();
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? [] : pair[(equals + 1)..];
            pairs.Add((Encode(name), Encode(value)));
        }

        pairs.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                output.Append((byte)'&');
            }

            output.Append(pairs[i].Name);
            output.Append((byte)'=');
            output.Append(pairs[i].Value);
        }
    }

    private static string Encode(ReadOnlySpan<char> component)
    {
        Span<byte> initial = stackalloc byte[256];
        var encoded = new ByteBuilder(initial);
        try
        {
            encoded.AppendUriEncoded(Uri.UnescapeDataString(component));
            return encoded.ToString();
        }
        finally
        {
            encoded.Dispose();
        }
    }

    /// <summary><c>name:value</c> a line for each signed header; several values joined by commas, each trimmed, runs of white space made one space.</summary>
    private static void WriteHeaders(ref ByteBuilder output, IHeaderDictionary headers, ReadOnlySpan<char> signedHeaders)
    {
        foreach (var range in signedHeaders.Split(';'))
        {
            var name = signedHeaders[range];
            foreach (var c in name)
            {
                output.Append((byte)char.ToLowerInvariant(c));
            }

            output.Append((byte)':');
            var values = headers[HeaderName(name)];
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    output.Append((byte)',');
                }

                WriteTrimmed(ref output, values[i]);
            }

            output.Append((byte)'\n');
        }
    }

    private static void WriteTrimmed(ref ByteBuilder output, ReadOnlySpan<char> value)
    {
        value = value.Trim(" \t\r\n");
        var start = 0;
        while (start < value.Length)
        {
            var space = value[start..].IndexOfAny(" \t\r\n");
            if (space < 0)
            {
                output.Append(value[start..]);
                return;
            }

            output.Append(value.Slice(start, space));
            output.Append((byte)' ');
            start += space;
            while (start < value.Length && value[start] is ' ' or '\t' or '\r' or '\n')
            {
                start++;
            }
        }
    }

    private static string HeaderName(ReadOnlySpan<char> name)
    {
        foreach (var known in KnownHeaders)
        {
            if (name.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return name.ToString();
    }
}
