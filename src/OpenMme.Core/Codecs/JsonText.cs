using System.Text.Json;

namespace OpenMme.Codecs;

/// <summary>
/// String values and property names of a JSON body. <see cref="Utf8JsonReader"/> checks escapes
/// only when it unescapes them, and then throws <see cref="InvalidOperationException"/> for a
/// lone surrogate escape such as <c>\ud800</c>: that is the payload's fault, not the server's.
/// The body's bytes are known to be valid UTF-8 here (<see cref="JsonPayloadCodec"/> checks first).
/// </summary>
internal static class JsonText
{
    // The public methods hold no try block, so the JIT can inline them into the readers' loops;
    // only text with escapes, which client libraries rarely write, takes the guarded path.

    /// <summary>The string at the reader, unescaped.</summary>
    public static string GetString(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? GetEscapedString(ref reader) : reader.GetString()!;

    /// <summary>
    /// Refuses a property name whose escapes are not text, so that the <c>ValueTextEquals</c>
    /// that follow cannot throw. Costs nothing for names without escapes, which is every name a
    /// client library writes.
    /// </summary>
    public static void CheckName(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            GetEscapedString(ref reader);
        }
    }

    private static string GetEscapedString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotText(ref reader);
        }
    }

    private static Failures.ModelHostException NotText(ref Utf8JsonReader reader) =>
        CodecErrors.Malformed($"The JSON string {CodecErrors.Quote(reader.ValueSpan)} at byte {reader.TokenStartIndex} holds an escape that is not text (a lone UTF-16 surrogate such as \\ud800).");
}
