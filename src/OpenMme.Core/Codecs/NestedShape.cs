using System.Text.Json;

namespace OpenMme.Codecs;

/// <summary>Measures the shape of nested JSON arrays, rejecting ragged ones.</summary>
internal static class NestedShape
{
    public static long[] Measure(ReadOnlySpan<byte> json, string name)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw CodecErrors.Invalid("\"instances\" must be an array.");
        }

        var dims = new long[65];
        Array.Fill(dims, -1);
        var maxDepth = 0;
        var counts = new Stack<long>();
        var leafDepth = -1;
        counts.Push(0);
        while (reader.Read())
        {
            var depth = counts.Count;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    counts.Push(counts.Pop() + 1);
                    counts.Push(0);
                    break;
                case JsonTokenType.EndArray:
                    var length = counts.Pop();
                    if (dims[depth] < 0)
                    {
                        dims[depth] = length;
                        maxDepth = Math.Max(maxDepth, depth);
                    }
                    else if (dims[depth] != length)
                    {
                        throw CodecErrors.Invalid($"The \"instances\" for input '{name}' are ragged: arrays at depth {depth} have lengths {dims[depth]} and {length}.");
                    }

                    if (counts.Count == 0)
                    {
                        return dims.AsSpan(1, maxDepth).ToArray();
                    }

                    break;
                case JsonTokenType.StartObject:
                    throw CodecErrors.Invalid("\"instances\" must hold arrays or values, not objects.");
                default:
                    if (leafDepth >= 0 && leafDepth != depth)
                    {
                        throw CodecErrors.Invalid($"The \"instances\" for input '{name}' are ragged: values appear at different depths.");
                    }

                    leafDepth = depth;
                    counts.Push(counts.Pop() + 1);
                    break;
            }
        }

        throw CodecErrors.Invalid("\"instances\" is not a complete array.");
    }
}
