using System.Globalization;
using System.Text;

namespace OpenMme.Codecs;

/// <summary>
/// The header of an NPY array: the Python dict literal NumPy writes,
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>, read strictly. As in
/// NumPy's own reader, the dict holds exactly these three keys, each once; strings take single or
/// double quotes, integers an old-style <c>L</c> suffix, and the dict may be followed by the
/// padding spaces and newline NumPy writes, nothing else.
/// </summary>
/// <param name="Descr">The dtype string, e.g. <c>&lt;f4</c>.</param>
/// <param name="FortranOrder">Whether the data is column-major.</param>
/// <param name="Shape">The dimensions; empty for a scalar.</param>
internal readonly record struct NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    public static NpyHeader Parse(ReadOnlySpan<byte> text)
    {
        var at = SkipSpace(text, 0);
        if (at >= text.Length || text[at] != (byte)'{')
        {
            throw CodecErrors.Malformed("The NPY header must be a Python dict, starting with '{'.");
        }

        string? descr = null;
        bool? fortranOrder = null;
        long[]? shape = null;
        at++;
        while (true)
        {
            at = SkipSpace(text, at);
            if (at >= text.Length)
            {
                throw CodecErrors.Malformed("The NPY header dict is not closed with '}'.");
            }

            if (text[at] == (byte)'}')
            {
                at++;
                break;
            }

            var key = ReadString(text, ref at);
            at = SkipSpace(text, at);
            if (at >= text.Length || text[at] != (byte)':')
            {
                throw CodecErrors.Malformed(string.Create(CultureInfo.InvariantCulture, $"The NPY header dict needs ':' after a key at byte {at}."));
            }

            at = SkipSpace(text, at + 1);
            if (key.SequenceEqual("descr"u8))
            {
                Once(descr is null, "descr");
                descr = Encoding.Latin1.GetString(ReadString(text, ref at));
            }
            else if (key.SequenceEqual("fortran_order"u8))
            {
                Once(fortranOrder is null, "fortran_order");
                fortranOrder = ReadBool(text, ref at);
            }
            else if (key.SequenceEqual("shape"u8))
            {
                Once(shape is null, "shape");
                shape = ReadTuple(text, ref at);
            }
            else
            {
                throw CodecErrors.Malformed($"The NPY header has key {CodecErrors.Quote(key)}; it holds only 'descr', 'fortran_order' and 'shape'.");
            }

            at = SkipSpace(text, at);
            if (at < text.Length && text[at] == (byte)',')
            {
                at++;
            }
            else if (at >= text.Length || text[at] != (byte)'}')
            {
                throw CodecErrors.Malformed(string.Create(CultureInfo.InvariantCulture, $"The NPY header dict needs ',' or '}}' at byte {at}."));
            }
        }

        at = SkipSpace(text, at);
        if (at != text.Length)
        {
            throw CodecErrors.Malformed(string.Create(CultureInfo.InvariantCulture, $"The NPY header has something after its dict, at byte {at}."));
        }

        return new NpyHeader(
            descr ?? throw Missing("descr"),
            fortranOrder ?? throw Missing("fortran_order"),
            shape ?? throw Missing("shape"));
    }

    private static Failures.ModelHostException Missing(string key) =>
        CodecErrors.Malformed($"The NPY header has no '{key}'; it needs 'descr', 'fortran_order' and 'shape'.");

    private static void Once(bool first, string key)
    {
        if (!first)
        {
            throw CodecErrors.Malformed($"The NPY header has '{key}' twice.");
        }
    }

    private static int SkipSpace(ReadOnlySpan<byte> text, int at)
    {
        while (at < text.Length && text[at] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            at++;
        }

        return at;
    }

    /// <summary>A quoted Python string's content; a backslash keeps the next byte from ending it.</summary>
    private static ReadOnlySpan<byte> ReadString(ReadOnlySpan<byte> text, ref int at)
    {
        var quote = at < text.Length ? text[at] : (byte)0;
        if (quote is not ((byte)'\'' or (byte)'"'))
        {
            throw CodecErrors.Malformed(string.Create(CultureInfo.InvariantCulture, $"The NPY header needs a quoted string at byte {at}."));
        }

        var start = at + 1;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == (byte)'\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                at = i + 1;
                return text[start..i];
            }
        }

        throw CodecErrors.Malformed(string.Create(CultureInfo.InvariantCulture, $"The NPY header has a string that is never closed, from byte {start - 1}."));
    }

    private static bool ReadBool(ReadOnlySpan<byte> text, ref int at)
    {
        var rest = text[at..];
        if (rest.StartsWith("True"u8))
        {
            at += 4;
            return true;
        }

        if (rest.StartsWith("False"u8))
        {
            at += 5;
            return false;
        }

        throw CodecErrors.Malformed("The NPY header's 'fortran_order' must be True or False.");
    }

    private static long[] ReadTuple(ReadOnlySpan<byte> text, ref int at)
    {
        const string Expected = "The NPY header's 'shape' must be a tuple of non-negative integers, e.g. (2, 8).";
        if (at >= text.Length || text[at] != (byte)'(')
        {
            throw CodecErrors.Malformed(Expected);
        }

        var dims = new List<long>(4);
        var comma = false;
        at = SkipSpace(text, at + 1);
        while (at < text.Length && text[at] != (byte)')')
        {
            var start = at;
            while (at < text.Length && text[at] is >= (byte)'0' and <= (byte)'9')
            {
                at++;
            }

            if (at == start)
            {
                throw CodecErrors.Malformed(Expected);
            }

            if (!long.TryParse(text[start..at], NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
            {
                throw CodecErrors.Malformed($"The NPY header's 'shape' has dimension {CodecErrors.Quote(text[start..at])}, which is too large.");
            }

            dims.Add(dim);
            if (at < text.Length && text[at] == (byte)'L')
            {
                at++;
            }

            at = SkipSpace(text, at);
            comma = at < text.Length && text[at] == (byte)',';
            if (comma)
            {
                at = SkipSpace(text, at + 1);
            }
            else if (at < text.Length && text[at] != (byte)')')
            {
                throw CodecErrors.Malformed(Expected);
            }
        }

        if (at >= text.Length)
        {
            throw CodecErrors.Malformed("The NPY header's 'shape' tuple is not closed with ')'.");
        }

        // In Python (2) is a number, not a tuple: one dimension is written (2,).
        if (dims.Count == 1 && !comma)
        {
            throw CodecErrors.Malformed(Expected);
        }

        at++;
        return [.. dims];
    }
}
