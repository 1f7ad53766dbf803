namespace OpenMme.Failures;

/// <summary>What went wrong, independent of any wire protocol. The server maps each to a status and code.</summary>
public enum FailureKind
{
    /// <summary>Malformed headers or body.</summary>
    InvalidRequest,

    /// <summary>The body's media type is not one the codecs speak.</summary>
    UnsupportedMediaType,

    /// <summary>The body exceeds the invocation size limit.</summary>
    PayloadTooLarge,

    /// <summary>The artifact does not exist in the store.</summary>
    ArtifactNotFound,

    /// <summary>The input does not fit the model's signature.</summary>
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
