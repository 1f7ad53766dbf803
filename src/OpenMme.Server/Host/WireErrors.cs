using System.Text.Encodings.Web;
using System.Text.Json;
using OpenMme.Failures;

namespace OpenMme.Host;

/// <summary>
/// The one table that maps failures to SageMaker wire errors, and the writer of error
/// responses: status, <c>x-amzn-ErrorType</c> header, JSON body with <c>message</c>.
/// </summary>
internal static class WireErrors
{
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    public static readonly WireError InternalFailure = new(StatusCodes.Status500InternalServerError, "InternalFailure");

    // Error bodies are read by people: keep quotes and non-ASCII text as they are.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static WireError For(FailureKind kind) => kind switch
    {
        FailureKind.InvalidRequest => new(StatusCodes.Status400BadRequest, "ValidationError"),
        FailureKind.UnsupportedMediaType => new(StatusCodes.Status415UnsupportedMediaType, "ValidationError"),
        FailureKind.PayloadTooLarge => new(StatusCodes.Status413PayloadTooLarge, "ValidationError"),
        FailureKind.ArtifactNotFound => new(StatusCodes.Status400BadRequest, "ValidationError"),
        FailureKind.ModelRejectedInput => new(StatusCodes.Status424FailedDependency, "ModelError"),
        FailureKind.ModelFailed => new(StatusCodes.Status424FailedDependency, "ModelError"),
        FailureKind.ModelNotReady => new(StatusCodes.Status429TooManyRequests, "ModelNotReadyException"),
        FailureKind.InsufficientMemory => new(StatusCodes.Status507InsufficientStorage, "ServiceUnavailable"),
        FailureKind.Overloaded => new(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable"),
        FailureKind.StoreUnavailable => new(530, "InternalDependencyException"),
        FailureKind.ModelNotLoaded => new(StatusCodes.Status404NotFound, "ValidationError"),
        FailureKind.ModelAlreadyLoaded => new(StatusCodes.Status409Conflict, "ValidationError"),
        _ => InternalFailure,
    };

    /// <summary>The container contract answers a missing artifact with 404 (SageMaker's load API), the runtime API with 400.</summary>
    public static WireError ForContainerLoad(FailureKind kind) =>
        kind == FailureKind.ArtifactNotFound ? new(StatusCodes.Status404NotFound, "ValidationError") : For(kind);

    public static Task WriteAsync(HttpContext context, FailureKind kind, string message) => WriteAsync(context, For(kind), kind, message);

    public static async Task WriteAsync(HttpContext context, WireError error, FailureKind? kind, string message)
    {
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
            if (error.Code == "ModelError")
            {
                var clientError = kind == FailureKind.ModelRejectedInput;
                writer.WriteString("ErrorCode"u8, clientError ? "CLIENT_ERROR_FROM_MODEL" : "INTERNAL_FAILURE_FROM_MODEL");
                writer.WriteNumber("OriginalStatusCode"u8, clientError ? 400 : 500);
                writer.WriteString("OriginalMessage"u8, message);
            }

            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
        }

        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
