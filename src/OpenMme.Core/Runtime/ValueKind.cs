namespace OpenMme.Runtime;

/// <summary>What an ONNX value is: a tensor, a map, or a sequence of either.</summary>
public enum ValueKind
{
    /// <summary>A tensor (every value of a plain neural network).</summary>
    Tensor,

    /// <summary>A map from keys (INT64 or BYTES) to values: <c>map(K, V)</c>.</summary>
    Map,

    /// <summary>A sequence of maps, as ZipMap writes a classifier's probabilities: <c>seq(map(K, V))</c>.</summary>
    MapSequence,

    /// <summary>A sequence of tensors: <c>seq(tensor(T))</c>.</summary>
    TensorSequence,
}
