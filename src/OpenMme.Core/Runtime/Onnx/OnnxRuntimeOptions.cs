namespace OpenMme.Runtime.Onnx;

/// <summary>Settings of the ONNX Runtime backend.</summary>
/// <param name="IntraOpThreads">Threads per model run. 1 by default: an instance runs many requests at once, and more threads per run only contend for the same cores.</param>
public sealed record OnnxRuntimeOptions(int IntraOpThreads = 1);
