using System.Globalization;
using System.Text;
using OpenMme.Failures;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>
/// The failures codecs answer with. Every fault of the payload is <see cref="FailureKind.ModelRejectedInput"/>:
/// on SageMaker the payload is the container's business, and a container answers it with 400.
/// Messages quote the input they complain about through <see cref="Quote(ReadOnlySpan{char})"/>, so
/// an error answer or log line never grows with the payload.
/// </summary>
internal static class CodecErrors
{
    /// <summary>Characters of an input quoted in a message; the rest is summarised by its length.</summary>
    public const int QuoteLimit = 64;

    /// <summary>The body is not what its content type says, or breaks a rule of the format.</summary>
    public static ModelHostException Malformed(string message) => new(FailureKind.ModelRejectedInput, message);

    /// <summary>The body is well formed but does not fit the model; the message lists the signature.</summary>
    public static ModelHostException Rejected(string message, ModelSignature signature) =>
        new(FailureKind.ModelRejectedInput, $"{message} The model expects {signature}.");

    /// <summary>
    /// The response form the request chose (its <c>Accept</c> header, or its own form) cannot carry
    /// output <paramref name="output"/>. On SageMaker the container answers this, so it is a
    /// <see cref="FailureKind.ModelRejectedInput"/>; the message names the forms that can carry it.
    /// </summary>
    public static ModelHostException Unanswerable(string output, string problem, string form, string forms) =>
        new(FailureKind.ModelRejectedInput, $"Output {Quote(output)} {problem}, which {form} cannot carry. Ask for {forms}.");

    /// <summary>
    /// <paramref name="text"/> in single quotes, cut to <see cref="QuoteLimit"/> characters with its
    /// full length after it, control characters escaped (a quote must not start a new log line).
    /// </summary>
    public static string Quote(ReadOnlySpan<char> text) => Quote(text, text.Length > QuoteLimit, text.Length, "characters");

    /// <summary>UTF-8 input quoted as <see cref="Quote(ReadOnlySpan{char})"/> does; invalid bytes show as U+FFFD.</summary>
    public static string Quote(ReadOnlySpan<byte> utf8)
    {
        // Decode only what can be shown: at most four bytes a character.
        const int MaxBytes = QuoteLimit * 4;
        return utf8.Length <= MaxBytes
            ? Quote(Encoding.UTF8.GetString(utf8))
            : Quote(Encoding.UTF8.GetString(utf8[..MaxBytes]), true, utf8.Length, "bytes");
    }

    private static string Quote(ReadOnlySpan<char> text, bool cut, long length, string unit)
    {
        var shown = text.Length <= QuoteLimit ? text : text[..QuoteLimit];
        if (cut && shown.Length > 0 && char.IsHighSurrogate(shown[^1]))
        {
            shown = shown[..^1];
        }

        var quoted = new StringBuilder(shown.Length + 32).Append('\'');
        for (var i = 0; i < shown.Length; i++)
        {
            var c = shown[i];
            if (char.IsHighSurrogate(c) && i + 1 < shown.Length && char.IsLowSurrogate(shown[i + 1]))
            {
                quoted.Append(c).Append(shown[++i]);
            }
            else if (c is '\n')
            {
                quoted.Append("\\n");
            }
            else if (c is '\r')
            {
                quoted.Append("\\r");
            }
            else if (char.IsControl(c) || char.IsSurrogate(c))
            {
                quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                quoted.Append(c);
            }
        }

        return cut
            ? quoted.Append(CultureInfo.InvariantCulture, $"...' ({length} {unit})").ToString()
            : quoted.Append('\'').ToString();
    }

    /// <summary>A shape as <c>[2,8]</c>; past eight dimensions only the rank is given.</summary>
    public static string Shape(ReadOnlySpan<long> shape)
    {
        const int MaxShown = 8;
        var text = new StringBuilder("[");
        for (var i = 0; i < shape.Length && i < MaxShown; i++)
        {
            text.Append(i > 0 ? "," : string.Empty).Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        if (shape.Length > MaxShown)
        {
            text.Append(CultureInfo.InvariantCulture, $",... ({shape.Length} dimensions)");
        }

        return text.Append(']').ToString();
    }
}
