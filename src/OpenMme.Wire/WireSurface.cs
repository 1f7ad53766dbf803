namespace OpenMme.Wire;

/// <summary>The HTTP surface a request came in on: some failures travel differently on each.</summary>
public enum WireSurface
{
    /// <summary>SageMaker's runtime API (InvokeEndpoint): the endpoint as its clients see it.</summary>
    RuntimeApi,

    /// <summary>The SageMaker multi-model container contract: this instance as the platform sees a container.</summary>
    ContainerContract,

    /// <summary>SageMaker's JSON 1.1 control plane: errors carry their code in the body's <c>__type</c> too.</summary>
    ControlPlane,
}
