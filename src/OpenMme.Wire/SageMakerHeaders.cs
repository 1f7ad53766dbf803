namespace OpenMme.Wire;

/// <summary>Header names of the SageMaker runtime API.</summary>
public static class SageMakerHeaders
{
    public const string TargetModel = "X-Amzn-SageMaker-Target-Model";
    public const string CustomAttributes = "X-Amzn-SageMaker-Custom-Attributes";
    public const string InferenceId = "X-Amzn-SageMaker-Inference-Id";
    public const string InvokedVariant = "x-Amzn-Invoked-Production-Variant";
    public const string RequestId = "x-amzn-RequestId";
    public const string Cache = "X-OpenMme-Cache";
}
