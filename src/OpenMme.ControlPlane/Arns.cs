namespace OpenMme.ControlPlane;

/// <summary>
/// ARNs as SageMaker writes them: <c>arn:aws:sagemaker:REGION:ACCOUNT:KIND/name</c> with the name in
/// lower case (SageMaker names are unique ignoring case, and its ARNs carry the lower-cased form).
/// </summary>
internal sealed class Arns(ControlPlaneSettings settings)
{
    public string Model(string name) => Arn("model", name);

    public string EndpointConfig(string name) => Arn("endpoint-config", name);

    public string Endpoint(string name) => Arn("endpoint", name);

    private string Arn(string kind, string name) => $"arn:aws:sagemaker:{settings.Region}:{settings.AccountId}:{kind}/{name.ToLowerInvariant()}";
}
