using System.Diagnostics;
using OpenMme.Buffers;
using OpenMme.Codecs;
using OpenMme.Failures;
using OpenMme.MemoryTier;
using OpenMme.Store;
using OpenMme.Telemetry;
using OpenMme.Wire;
using OpenMme.Wire.Auth;

namespace OpenMme.Host;

/// <summary>
/// The invocation hot path shared by every HTTP surface: read the body, verify the signature
/// (runtime API), validate headers, lease the model (loading it when cold), take an invocation slot, decode, run, encode,
/// answer. Failures become SageMaker wire errors through <see cref="WireErrors"/>.
/// </summary>
internal sealed partial class InvocationPipeline(
    ModelCache cache, InvocationGate gate, OpenMmeMetrics metrics, ModelHostOptions options, SigV4Verifier signatures, ILogger<InvocationPipeline> logger)
{
    private const int MaxCustomAttributes = 1024;
    private const int MaxInferenceId = 64;

    /// <summary>Answers one invocation.</summary>
    /// <param name="context">The request.</param>
    /// <param name="target">The model: a name loaded under it, else a store key (null when the header was missing).</param>
    /// <param name="surface">The HTTP surface the request came in on, which decides how failures are answered.</param>
    /// <param name="loadedOnly">Only a model in memory now may answer (container contract's <c>/models/{name}/invoke</c>): never load.</param>
    /// <param name="endpointName">The endpoint the runtime API's path names, checked once the signature is: an unsigned request learns nothing.</param>
    public async Task InvokeAsync(HttpContext context, string? target, WireSurface surface, bool loadedOnly = false, string? endpointName = null)
    {
        var started = Stopwatch.GetTimestamp();
        var response = context.Response;
        var requestId = context.TraceIdentifier;
        response.Headers[SageMakerHeaders.RequestId] = requestId;
        metrics.Invocations.Add(1);
        try
        {
            var request = context.Request;
            using var body = await RequestBody.ReadAsync(request, options.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
            if (surface == WireSurface.RuntimeApi && signatures.Verify(request, body.Span) is { IsAccepted: false } refused)
            {
                LogRefused(requestId, WireErrors.For(refused.Failure).Code, refused.Message);
                await WireErrors.WriteAsync(context, refused, surface).ConfigureAwait(false);
                CountErrors(response.StatusCode);
                return;
            }

            if (endpointName is not null && !string.Equals(endpointName, options.EndpointName, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelHostException(FailureKind.InvalidRequest, $"Endpoint {endpointName} of account {options.AccountId} not found.");
            }

            if (target is null)
            {
                throw new ModelHostException(FailureKind.InvalidRequest,
                    $"This is a multi-model endpoint: name the model to invoke in the {SageMakerHeaders.TargetModel} header, e.g. '{SageMakerHeaders.TargetModel}: model.onnx'.");
            }

            ModelKey.Validate(target);
            CheckOptionalHeaders(request);
            var format = PayloadCodecs.RequestFormat(request.ContentType);
            using var lease = loadedOnly
                ? cache.TryAcquireLoaded(target) ?? throw new ModelHostException(FailureKind.ModelNotLoaded, $"Model '{target}' is not loaded; load it with POST /models first.")
                : await cache.AcquireAsync(target, requestId, context.RequestAborted).ConfigureAwait(false);
            response.Headers[SageMakerHeaders.Cache] = CacheOutcomeNames.Of(lease.Outcome);
            using var slot = await gate.EnterAsync(context.RequestAborted).ConfigureAwait(false);
            if (!slot.IsAcquired)
            {
                response.Headers.RetryAfter = "1";
                throw new ModelHostException(FailureKind.Overloaded,
                    $"The instance is at its limit of {gate.Permits} concurrent invocations with {gate.QueueLimit} waiting; retry shortly.");
            }

            using var decoded = PayloadCodecs.Decode(format, body.Span, lease.Model.Signature);
            var responseFormat = PayloadCodecs.ResponseFormat(request.Headers.Accept, decoded.Format);
            var running = Stopwatch.GetTimestamp();
            using var outputs = lease.Model.Run(decoded.Inputs);
            var modelSeconds = Stopwatch.GetElapsedTime(running).TotalSeconds;
            using var encoded = new PooledBufferWriter(4096);
            var contentType = PayloadCodecs.Encode(responseFormat, encoded, target, decoded, outputs);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = contentType;
            response.Headers[SageMakerHeaders.InvokedVariant] = options.VariantName;
            response.ContentLength = encoded.WrittenCount;
            await response.Body.WriteAsync(encoded.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
            metrics.ModelLatency.Record(modelSeconds);
            metrics.OverheadLatency.Record(Math.Max(0, Stopwatch.GetElapsedTime(started).TotalSeconds - modelSeconds));
        }
        catch (ModelHostException e)
        {
            LogFailed(string.IsNullOrEmpty(target) ? "(no target model)" : target, requestId, e.Kind, e.Message);
            await WireErrors.WriteAsync(context, e.Kind, surface, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception e)
        {
            LogInternalFailure(e, target, requestId);
            await WireErrors.WriteAsync(context, WireErrors.InternalFailure,
                $"An internal error occurred while invoking the model (request id {requestId}).").ConfigureAwait(false);
        }

        CountErrors(response.StatusCode);
    }

    private void CountErrors(int status)
    {
        if (status >= 500)
        {
            metrics.Invocation5xxErrors.Add(1);
        }
        else if (status >= 400)
        {
            metrics.Invocation4xxErrors.Add(1);
        }
    }

    private static void CheckOptionalHeaders(HttpRequest request)
    {
        if (request.Headers.TryGetValue(SageMakerHeaders.CustomAttributes, out var attributes) && attributes.ToString().Length > MaxCustomAttributes)
        {
            throw new ModelHostException(FailureKind.InvalidRequest, $"{SageMakerHeaders.CustomAttributes} is longer than {MaxCustomAttributes} characters.");
        }

        if (request.Headers.TryGetValue(SageMakerHeaders.InferenceId, out var inferenceId) && inferenceId.ToString().Length > MaxInferenceId)
        {
            throw new ModelHostException(FailureKind.InvalidRequest, $"{SageMakerHeaders.InferenceId} is longer than {MaxInferenceId} characters.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Invocation of {Model} failed ({Kind}, request {RequestId}): {Reason}")]
    private partial void LogFailed(string? model, string requestId, FailureKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} refused before any model was touched ({Code}): {Reason}")]
    private partial void LogRefused(string requestId, string code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Internal failure invoking {Model} (request {RequestId})")]
    private partial void LogInternalFailure(Exception exception, string? model, string requestId);
}
