using System.Text.Json;

namespace OpenMme.Codecs;

/// <summary>
/// Measures the shape of nested JSON arrays, rejecting ragged ones. The values themselves are
/// read afterwards by <see cref="JsonTensorReader"/>, which holds them to the measured shape.
/// </summary>
internal static class NestedShape
{
    // The reader's depth limit for request bodies (JsonPayloadCodec's MaxDepth).
    private const int MaxLevels = 64;

    public static long[] Measure(ReadOnlySpan<byte> json, string name)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxLevels });
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw CodecErrors.Malformed("\"instances\" must be an array.");
        }

        // Per depth: the length every array there must have (-1 until the first one closes) and
        // the items counted so far in the one open there. Depth 1 is the instances array itself.
        Span<long> lengths = stackalloc long[MaxLevels + 2];
        Span<long> counts = stackalloc long[MaxLevels + 2];
        lengths.Fill(-1);
        counts.Clear();
        var depth = 1;
        var maxDepth = 0;
        var leafDepth = -1;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    counts[depth]++;
                    counts[++depth] = 0;
                    break;
                case JsonTokenType.EndArray:
                    var length = counts[depth];
                    if (lengths[depth] < 0)
                    {
                        lengths[depth] = length;
                        maxDepth = Math.Max(maxDepth, depth);
                    }
                    else if (lengths[depth] != length)
                    {
                        throw CodecErrors.Malformed($"The \"instances\" for input {CodecErrors.Quote(name)} are ragged: arrays at depth {depth} have lengths {lengths[depth]} and {length}.");
                    }

                    if (--depth == 0)
                    {
                        return lengths.Slice(1, maxDepth).ToArray();
                    }

                    break;
                case JsonTokenType.StartObject:
                    throw CodecErrors.Malformed("\"instances\" must hold arrays or values, not objects.");
                default:
                    if (leafDepth >= 0 && leafDepth != depth)
                    {
                        throw CodecErrors.Malformed($"The \"instances\" for input {CodecErrors.Quote(name)} are ragged: values appear at different depths.");
                    }

                    leafDepth = depth;
                    counts[depth]++;
                    break;
            }
        }

        throw CodecErrors.Malformed("\"instances\" is not a complete array.");
    }
}
