namespace OpenMme.Samples;

/// <summary>A generated ONNX model with a fixed request and the outputs it must produce.</summary>
/// <param name="Name">File name, e.g. <c>fp32-000.onnx</c> or <c>classic-pipeline.onnx</c>.</param>
/// <param name="Kind">fp32, fp64, int64 or bool (<see cref="SampleModelFactory"/>); logistic-strings, tree-strings, regressor or pipeline (<see cref="ClassicSampleFactory"/>).</param>
/// <param name="Onnx">The serialized model.</param>
/// <param name="Inputs">The fixed request.</param>
/// <param name="ExpectedOutputs">Reference outputs, computed independently of ONNX Runtime in double precision.</param>
public sealed record SampleModel(string Name, string Kind, byte[] Onnx, IReadOnlyList<SampleTensor> Inputs, IReadOnlyList<SampleTensor> ExpectedOutputs);
