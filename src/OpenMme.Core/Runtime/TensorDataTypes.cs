namespace OpenMme.Runtime;

/// <summary>Names and sizes of <see cref="TensorDataType"/> on the wire.</summary>
public static class TensorDataTypes
{
    /// <summary>Bytes per element; 0 for strings.</summary>
    public static int ElementSize(TensorDataType type) => type switch
    {
        TensorDataType.Double or TensorDataType.Int64 or TensorDataType.UInt64 => 8,
        TensorDataType.Float or TensorDataType.Int32 or TensorDataType.UInt32 => 4,
        TensorDataType.Float16 or TensorDataType.BFloat16 or TensorDataType.Int16 or TensorDataType.UInt16 => 2,
        TensorDataType.Int8 or TensorDataType.UInt8 or TensorDataType.Bool => 1,
        _ => 0,
    };

    /// <summary>The KServe v2 datatype name (FP32, INT64, BOOL, BYTES...).</summary>
    public static string KServeName(TensorDataType type) => type switch
    {
        TensorDataType.Float => "FP32",
        TensorDataType.Double => "FP64",
        TensorDataType.Float16 => "FP16",
        TensorDataType.BFloat16 => "BF16",
        TensorDataType.Int8 => "INT8",
        TensorDataType.Int16 => "INT16",
        TensorDataType.Int32 => "INT32",
        TensorDataType.Int64 => "INT64",
        TensorDataType.UInt8 => "UINT8",
        TensorDataType.UInt16 => "UINT16",
        TensorDataType.UInt32 => "UINT32",
        TensorDataType.UInt64 => "UINT64",
        TensorDataType.Bool => "BOOL",
        TensorDataType.String => "BYTES",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Parses a KServe v2 datatype name; false when the name is unknown.</summary>
    public static bool TryParseKServeName(ReadOnlySpan<char> name, out TensorDataType type)
    {
        for (var t = TensorDataType.Float; t <= TensorDataType.String; t++)
        {
            if (name.Equals(KServeName(t), StringComparison.OrdinalIgnoreCase))
            {
                type = t;
                return true;
            }
        }

        type = default;
        return false;
    }
}
