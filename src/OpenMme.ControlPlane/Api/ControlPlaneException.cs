namespace OpenMme.ControlPlane.Api;

/// <summary>A request the control plane refuses: the <c>__type</c> and message SageMaker would answer with (status 400).</summary>
internal sealed class ControlPlaneException(string type, string message) : Exception(message)
{
    public string Type { get; } = type;
}
