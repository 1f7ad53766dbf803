namespace OpenMme.Host;

/// <summary>Settings of the HTTP surfaces of one instance.</summary>
/// <param name="EndpointName">The endpoint the runtime API answers for (<c>/endpoints/{name}/invocations</c>).</param>
/// <param name="VariantName">Reported in <c>x-Amzn-Invoked-Production-Variant</c>.</param>
/// <param name="AccountId">Named in "endpoint not found" messages, as SageMaker does.</param>
/// <param name="MaxBodyBytes">Largest invocation body (SageMaker: 6 MiB).</param>
public sealed record ModelHostOptions(
    string EndpointName = "local",
    string VariantName = "AllTraffic",
    string AccountId = "000000000000",
    int MaxBodyBytes = ModelHostOptions.SageMakerMaxBodyBytes)
{
    /// <summary>InvokeEndpoint's payload limit.</summary>
    public const int SageMakerMaxBodyBytes = 6 * 1024 * 1024;
}
