using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>A request body turned into model inputs, with what the response needs to mirror.</summary>
/// <param name="Inputs">The input tensors; the caller disposes them.</param>
/// <param name="Format">The request's wire form.</param>
/// <param name="Id">KServe request id, echoed in the response.</param>
/// <param name="RequestedOutputs">KServe <c>outputs</c> filter, or null for every output.</param>
public sealed record DecodedRequest(TensorSet Inputs, PayloadFormat Format, string? Id, IReadOnlyList<string>? RequestedOutputs) : IDisposable
{
    /// <summary>Returns the inputs' buffers to the pool.</summary>
    public void Dispose() => Inputs.Dispose();
}
