namespace OpenMme.Codecs;

/// <summary>
/// Python's json module writes non-finite floats as bare <c>NaN</c>, <c>Infinity</c> and
/// <c>-Infinity</c>, which strict JSON parsers reject. This rewrites those tokens (outside
/// strings) as JSON strings, which the tensor reader accepts. Used only after a strict parse failed.
/// </summary>
internal static class NonFiniteJson
{
    private static ReadOnlySpan<byte> NaN => "NaN"u8;

    private static ReadOnlySpan<byte> Infinity => "Infinity"u8;

    public static bool TryRewrite(ReadOnlySpan<byte> json, out byte[] rewritten)
    {
        var output = new List<byte>(json.Length + 32);
        var changed = false;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                output.Add(b);
                if (b == (byte)'\\' && i + 1 < json.Length)
                {
                    output.Add(json[++i]);
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
                output.Add(b);
                continue;
            }

            var negative = b == (byte)'-' && i + 1 < json.Length && json[i + 1] == (byte)'I';
            var rest = json[(negative ? i + 1 : i)..];
            var token = rest.StartsWith(NaN) ? NaN : rest.StartsWith(Infinity) ? Infinity : default;
            if (token.IsEmpty)
            {
                output.Add(b);
                continue;
            }

            output.Add((byte)'"');
            if (negative)
            {
                output.Add((byte)'-');
            }

            output.AddRange(token);
            output.Add((byte)'"');
            i += token.Length + (negative ? 1 : 0) - 1;
            changed = true;
        }

        rewritten = changed ? output.ToArray() : [];
        return changed;
    }
}
