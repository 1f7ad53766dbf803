namespace OpenMme.Failures;

/// <summary>What went wrong, independent of any wire protocol. The server maps each to a status and code.</summary>
public enum FailureKind
{
    /// <summary>
    /// A request refused before its payload is looked at: malformed or missing headers, an
    /// unknown endpoint, an <c>Accept</c> no codec can answer. Faults of the body itself are
    /// <see cref="ModelRejectedInput"/>.
    /// </summary>
    InvalidRequest,

    /// <summary>The body's media type is not one the codecs speak.</summary>
    UnsupportedMediaType,

    /// <summary>The body exceeds the invocation size limit.</summary>
    PayloadTooLarge,

    /// <summary>The artifact does not exist in the store.</summary>
    ArtifactNotFound,

    /// <summary>
    /// The payload is malformed (not JSON, npy or csv as its content type says) or does not fit
    /// the model's signature: what a SageMaker container answers with 400.
    /// </summary>
    ModelRejectedInput,

    /// <summary>The model could not be loaded or failed while running.</summary>
    ModelFailed,

    /// <summary>A cold load is still running past the invocation timeout.</summary>
    ModelNotReady,

    /// <summary>The model cannot fit in the memory budget.</summary>
    InsufficientMemory,

    /// <summary>The instance is overloaded or shutting down.</summary>
    Overloaded,

    /// <summary>The model store cannot be reached.</summary>
    StoreUnavailable,

    /// <summary>The model is not loaded (container contract).</summary>
    ModelNotLoaded,

    /// <summary>The model is already loaded (container contract).</summary>
    ModelAlreadyLoaded,
}
