using System.Text;

namespace OpenMme.TestSupport;

/// <summary>
/// Seeded mutations of valid request bodies, for fuzz tests of the payload decoders: bit flips,
/// tokens that broke decoders before (lone surrogate escapes, invalid UTF-8, non-finite and
/// out-of-range numbers, brackets, NPY dict keys), deletions, duplications, truncation, splices
/// of two bodies and long repetitions. The same seed gives the same sequence of bodies.
/// </summary>
public sealed class PayloadMutator(int seed)
{
    private static readonly byte[][] Tokens =
    [
        .. new[]
        {
            "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0000", "\\", "\"", "NaN", "Infinity", "-Infinity", "1e999", "-1e-999",
            "99999999999999999999", "-0", "0.5", "-1", "null", "true", "false", "\"\"", "[]", "{}", "[[", "]]", "[", "]", "{", "}",
            ",", ":", "\"x\"", "\"inputs\"", "\"instances\"", "\"name\"", "\"shape\"", "\"datatype\"", "\"data\"", "\"outputs\"",
            "\"id\"", "\"FP32\"", "\"FP64\"", "\"INT64\"", "\"BOOL\"", "\"BYTES\"", "\"FP16\"", "'descr'", "'fortran_order'",
            "'shape'", "'<f4'", "'<f8'", "'<i8'", "'|b1'", "True", "False", "(", ")", "L", "'", "\r\n", "\n", " ", "\t",
        }.Select(Encoding.UTF8.GetBytes),
        [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0x00], [0x93],
    ];

    private readonly Random _random = new(seed);

    /// <summary>The random source, for choices the caller makes in the same seeded sequence.</summary>
    public Random Random => _random;

    /// <summary>Applies one to three mutations to <paramref name="body"/>; <paramref name="other"/> feeds splices.</summary>
    public byte[] Mutate(byte[] body, byte[] other)
    {
        var result = body;
        var rounds = 1 + _random.Next(3);
        for (var i = 0; i < rounds; i++)
        {
            result = MutateOnce(result, other);
        }

        return result;
    }

    private byte[] MutateOnce(byte[] body, byte[] other)
    {
        var at = body.Length == 0 ? 0 : _random.Next(body.Length + 1);
        switch (_random.Next(10))
        {
            case 0 when body.Length > 0:
                var flipped = (byte[])body.Clone();
                flipped[Math.Min(at, body.Length - 1)] ^= (byte)(1 << _random.Next(8));
                return flipped;
            case 1 when body.Length > 0:
                var replaced = (byte[])body.Clone();
                var token = Tokens[_random.Next(Tokens.Length)];
                replaced[Math.Min(at, body.Length - 1)] = token[0];
                return replaced;
            case 2:
            case 3:
                return Splice(body[..at], Tokens[_random.Next(Tokens.Length)], body[at..]);
            case 4 when body.Length > 0:
                var end = Math.Min(body.Length, at + 1 + _random.Next(16));
                return Splice(body[..at], [], body[end..]);
            case 5 when body.Length > 0:
                var start = _random.Next(body.Length);
                var copy = body[start..Math.Min(body.Length, start + 1 + _random.Next(32))];
                return Splice(body[..at], copy, body[at..]);
            case 6:
                return body[..at];
            case 7 when other.Length > 0:
                return Splice(body[..at], [], other[_random.Next(other.Length)..]);
            case 8 when body.Length > 0:
                // A long run: strings, numbers or arrays far beyond anything a model expects.
                var from = _random.Next(body.Length);
                var chunk = body[from..Math.Min(body.Length, from + 1 + _random.Next(8))];
                var times = 1 + _random.Next(64 * 1024 / chunk.Length);
                var run = new byte[chunk.Length * times];
                for (var i = 0; i < times; i++)
                {
                    chunk.CopyTo(run, i * chunk.Length);
                }

                return Splice(body[..at], run, body[at..]);
            default:
                return ReplaceNumber(body);
        }
    }

    private byte[] ReplaceNumber(byte[] body)
    {
        var digits = 0;
        for (var i = 0; i < body.Length; i++)
        {
            digits += body[i] is >= (byte)'0' and <= (byte)'9' ? 1 : 0;
        }

        if (digits == 0)
        {
            return body;
        }

        var pick = _random.Next(digits);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] is >= (byte)'0' and <= (byte)'9' && pick-- == 0)
            {
                string[] numbers = ["0", "1", "2", "7", "8", "16", "255", "256", "65536", "2147483648", "4611686018427387904", "-2", "1e308"];
                return Splice(body[..i], Encoding.ASCII.GetBytes(numbers[_random.Next(numbers.Length)]), body[(i + 1)..]);
            }
        }

        return body;
    }

    private static byte[] Splice(byte[] head, byte[] middle, byte[] tail)
    {
        var result = new byte[head.Length + middle.Length + tail.Length];
        head.CopyTo(result, 0);
        middle.CopyTo(result, head.Length);
        tail.CopyTo(result, head.Length + middle.Length);
        return result;
    }
}
