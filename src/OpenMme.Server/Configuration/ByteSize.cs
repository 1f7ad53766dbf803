using System.Globalization;

namespace OpenMme.Configuration;

/// <summary>
/// Sizes as people write and read them. Parses <c>512MB</c>, <c>2GiB</c>, <c>1500000</c>, and
/// for memory also a share of the machine, <c>60%</c>: decimal units (KB, MB, GB, TB) are powers
/// of 1000, binary ones (KiB, MiB, GiB, TiB) powers of 1024. Formats bytes for command output
/// and logs (<c>1.5 GiB</c>). It lives with the servers so that their logs and the command line
/// share one notation.
/// </summary>
public static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("T", 1L << 40),
        ("B", 1),
    ];

    /// <summary>Parses <paramref name="text"/>; a percentage is taken of <paramref name="total"/> (null: percentages not allowed).</summary>
    public static bool TryParse(string? text, long? total, out long bytes, out string error)
    {
        bytes = 0;
        error = string.Empty;
        var value = text?.Trim() ?? string.Empty;
        if (value.EndsWith('%'))
        {
            if (total is null)
            {
                error = $"'{text}': a percentage is allowed only for the memory budget; give a size such as 10GB.";
                return false;
            }

            if (!double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) || percent <= 0 || percent > 100)
            {
                error = $"'{text}' is not a percentage from 0 to 100, e.g. 60%.";
                return false;
            }

            bytes = (long)(total.Value * percent / 100);
            return true;
        }

        long factor = 1;
        foreach (var (suffix, unitFactor) in Units)
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                factor = unitFactor;
                value = value[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0 || double.IsInfinity(number * factor)
            || number * factor > long.MaxValue)
        {
            error = $"'{text}' is not a size: write a number with an optional unit, e.g. 512MB, 2GiB or 1048576.";
            return false;
        }

        bytes = (long)(number * factor);
        return true;
    }

    /// <summary>Physical memory available to this process (honours container limits).</summary>
    public static long MachineMemory() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Formats bytes for people, e.g. <c>1.5 GiB</c>.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }
}
