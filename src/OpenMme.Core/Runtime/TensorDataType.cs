namespace OpenMme.Runtime;

/// <summary>Element types of tensors that have a JSON form (the ONNX types KServe v2 names).</summary>
public enum TensorDataType
{
    Float,
    Double,
    Float16,
    BFloat16,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Bool,
    String,
}
