using OpenMme.Failures;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>The messages codecs answer bad payloads with.</summary>
internal static class CodecErrors
{
    public static ModelHostException Invalid(string message) => new(FailureKind.InvalidRequest, message);

    public static ModelHostException Rejected(string message, ModelSignature signature) =>
        new(FailureKind.ModelRejectedInput, $"{message} The model expects {signature}.");
}
