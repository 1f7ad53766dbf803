namespace OpenMme.Runtime;

/// <summary>A model in memory, ready to run. Thread-safe: many requests run it at once.</summary>
public interface ILoadedModel : IDisposable
{
    /// <summary>Inputs and outputs from the model's own metadata.</summary>
    ModelSignature Signature { get; }

    /// <summary>Runs the model. Inputs must match <see cref="Signature"/>; the caller owns the result.</summary>
    TensorSet Run(TensorSet inputs);
}
