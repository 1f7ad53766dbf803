using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenMme.Failures;
using OpenMme.Wire.Auth;

namespace OpenMme.Wire;

/// <summary>
/// The one table that maps failures to SageMaker wire errors, and the writer of error
/// responses: status, <c>x-amzn-ErrorType</c> header, JSON body with <c>message</c>.
/// </summary>
public static class WireErrors
{
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    public static readonly WireError InternalFailure = new(StatusCodes.Status500InternalServerError, "InternalFailure");

    /// <summary>A target model named to a single-model endpoint: SageMaker's 400, which SDKs raise as a ValidationError.</summary>
    public static readonly WireError TargetModelNotSupported = new(StatusCodes.Status400BadRequest, "ValidationError");

    // Error bodies are read by people: keep quotes and non-ASCII text as they are.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static WireError For(FailureKind kind, WireSurface surface) => kind switch
    {
        FailureKind.InvalidRequest => new(StatusCodes.Status400BadRequest, "ValidationError"),
        FailureKind.UnsupportedMediaType => new(StatusCodes.Status415UnsupportedMediaType, "ValidationError"),
        FailureKind.PayloadTooLarge => new(StatusCodes.Status413PayloadTooLarge, "ValidationError"),
        FailureKind.ArtifactNotFound => new(StatusCodes.Status400BadRequest, "ValidationError"),

        // On SageMaker the payload is the container's business: a container answers a bad payload
        // with 400, and the runtime API reports that to its caller as a ModelError. Every payload
        // error takes this one row, whichever codec found it. The container contract is this
        // instance in the container's place, so there it is the container's own plain 400.
        FailureKind.ModelRejectedInput => surface == WireSurface.ContainerContract
            ? new(StatusCodes.Status400BadRequest, "ValidationError")
            : new(StatusCodes.Status424FailedDependency, "ModelError", "CLIENT_ERROR_FROM_MODEL", StatusCodes.Status400BadRequest),
        FailureKind.ModelFailed => new(StatusCodes.Status424FailedDependency, "ModelError", "INTERNAL_FAILURE_FROM_MODEL", StatusCodes.Status500InternalServerError),
        FailureKind.ModelNotReady => new(StatusCodes.Status429TooManyRequests, "ModelNotReadyException"),
        FailureKind.InsufficientMemory => new(StatusCodes.Status507InsufficientStorage, "ServiceUnavailable"),
        FailureKind.Overloaded => new(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable"),
        FailureKind.StoreUnavailable => new(530, "InternalDependencyException"),
        FailureKind.ModelNotLoaded => new(StatusCodes.Status404NotFound, "ValidationError"),
        FailureKind.ModelAlreadyLoaded => new(StatusCodes.Status409Conflict, "ValidationError"),
        _ => InternalFailure,
    };

    /// <summary>
    /// A refused signature: 403 with the code AWS services answer, the same on the runtime API and the
    /// control plane (only the body's shape differs, see <see cref="WriteAsync(HttpContext, WireError, string, WireSurface)"/>).
    /// </summary>
    public static WireError For(SignatureFailure failure) => failure switch
    {
        SignatureFailure.Missing => new(StatusCodes.Status403Forbidden, "MissingAuthenticationTokenException"),
        SignatureFailure.Incomplete => new(StatusCodes.Status403Forbidden, "IncompleteSignatureException"),
        SignatureFailure.UnknownAccessKey => new(StatusCodes.Status403Forbidden, "UnrecognizedClientException"),
        SignatureFailure.Invalid => new(StatusCodes.Status403Forbidden, "InvalidSignatureException"),
        _ => InternalFailure,
    };

    /// <summary>The container contract answers a missing artifact with 404 (SageMaker's load API), the runtime API with 400.</summary>
    public static WireError ForContainerLoad(FailureKind kind) =>
        kind == FailureKind.ArtifactNotFound ? new(StatusCodes.Status404NotFound, "ValidationError") : For(kind, WireSurface.ContainerContract);

    public static Task WriteAsync(HttpContext context, FailureKind kind, WireSurface surface, string message) => WriteAsync(context, For(kind, surface), message);

    /// <summary>Answers a refused signature on <paramref name="surface"/>.</summary>
    public static Task WriteAsync(HttpContext context, SignatureCheck check, WireSurface surface) => WriteAsync(context, For(check.Failure), check.Message, surface);

    public static Task WriteAsync(HttpContext context, WireError error, string message) => WriteAsync(context, error, message, WireSurface.RuntimeApi);

    /// <summary>
    /// Writes <paramref name="error"/>: the code in <c>x-amzn-ErrorType</c>, and a JSON body with <c>message</c>
    /// (REST-JSON, the runtime API) or also <c>__type</c> (JSON 1.1, the control plane).
    /// </summary>
    public static async Task WriteAsync(HttpContext context, WireError error, string message, WireSurface surface)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = error.Status;
        response.Headers[ErrorTypeHeader] = error.Code;
        response.ContentType = "application/json";
        using var body = new Buffers.PooledBufferWriter(256);
        using (var writer = new Utf8JsonWriter(body, WriterOptions))
        {
            writer.WriteStartObject();
            if (surface == WireSurface.ControlPlane)
            {
                writer.WriteString("__type"u8, error.Code);
            }

            if (error.ModelErrorCode is not null)
            {
                writer.WriteString("ErrorCode"u8, error.ModelErrorCode);
                writer.WriteNumber("OriginalStatusCode"u8, error.OriginalStatus);
                writer.WriteString("OriginalMessage"u8, message);
            }

            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
        }

        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
