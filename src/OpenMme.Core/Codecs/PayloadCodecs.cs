using System.Buffers;
using OpenMme.Failures;
using OpenMme.Runtime;

namespace OpenMme.Codecs;

/// <summary>Chooses the codec for a request's <c>Content-Type</c> and the response's <c>Accept</c>.</summary>
public static class PayloadCodecs
{
    /// <summary>The media types the codecs speak.</summary>
    public const string SupportedMediaTypes = "application/json (KServe v2 or {\"instances\":[...]}), application/x-npy, text/csv";

    /// <summary>
    /// Decodes a request body into model inputs. Every fault of the body throws a
    /// <see cref="ModelHostException"/> of kind <see cref="FailureKind.ModelRejectedInput"/>.
    /// </summary>
    public static DecodedRequest Decode(string? contentType, ReadOnlySpan<byte> body, ModelSignature signature) =>
        Decode(RequestFormat(contentType), body, signature);

    /// <summary>
    /// Decodes a request body already known to be in <paramref name="format"/> (see <see cref="RequestFormat"/>).
    /// Every fault of the body throws a <see cref="ModelHostException"/> of kind <see cref="FailureKind.ModelRejectedInput"/>.
    /// </summary>
    public static DecodedRequest Decode(PayloadFormat format, ReadOnlySpan<byte> body, ModelSignature signature)
    {
        return format switch
        {
            PayloadFormat.Npy => NpyCodec.Decode(body, signature),
            PayloadFormat.Csv => CsvCodec.Decode(body, signature),
            _ => JsonPayloadCodec.Decode(body, signature),
        };
    }

    /// <summary>The request's wire form; throws <see cref="FailureKind.UnsupportedMediaType"/> for media types no codec speaks.</summary>
    public static PayloadFormat RequestFormat(string? contentType)
    {
        var media = MediaType(contentType);
        if (media.Length == 0 || media.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return PayloadFormat.KServeJson;
        }

        if (media.Equals("application/x-npy", StringComparison.OrdinalIgnoreCase))
        {
            return PayloadFormat.Npy;
        }

        if (media.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return PayloadFormat.Csv;
        }

        throw new ModelHostException(FailureKind.UnsupportedMediaType,
            $"Content type {CodecErrors.Quote(contentType)} is not supported. Use {SupportedMediaTypes}.");
    }

    /// <summary>
    /// The response's wire form: what <c>Accept</c> asks for, else the request's own form; throws
    /// <see cref="FailureKind.InvalidRequest"/> (a header fault) when it names no supported type.
    /// </summary>
    public static PayloadFormat ResponseFormat(string? accept, PayloadFormat request)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return request;
        }

        foreach (var part in accept.Split(','))
        {
            var media = MediaType(part);
            if (media.Equals("*/*", StringComparison.Ordinal))
            {
                return request;
            }

            if (media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Equals("application/*", StringComparison.OrdinalIgnoreCase))
            {
                return request == PayloadFormat.InstancesJson ? PayloadFormat.InstancesJson : PayloadFormat.KServeJson;
            }

            if (media.Equals("application/x-npy", StringComparison.OrdinalIgnoreCase))
            {
                return PayloadFormat.Npy;
            }

            if (media.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
            {
                return PayloadFormat.Csv;
            }
        }

        throw new ModelHostException(FailureKind.InvalidRequest, $"Accept {CodecErrors.Quote(accept)} names no supported type. Use {SupportedMediaTypes}.");
    }

    /// <summary>
    /// Encodes the model's outputs and returns the response's content type; throws
    /// <see cref="FailureKind.ModelRejectedInput"/> naming the output and the forms that can carry
    /// it when the chosen form cannot.
    /// </summary>
    public static string Encode(PayloadFormat format, IBufferWriter<byte> output, string modelName, DecodedRequest request, TensorSet outputs)
    {
        switch (format)
        {
            case PayloadFormat.Npy:
                NpyCodec.Encode(output, outputs);
                return "application/x-npy";
            case PayloadFormat.Csv:
                CsvCodec.Encode(output, outputs);
                return "text/csv";
            default:
                JsonPayloadCodec.Encode(output, modelName, request, outputs, predictions: format == PayloadFormat.InstancesJson);
                return "application/json";
        }
    }

    private static ReadOnlySpan<char> MediaType(string? header)
    {
        if (header is null)
        {
            return default;
        }

        var span = header.AsSpan();
        var semicolon = span.IndexOf(';');
        return (semicolon >= 0 ? span[..semicolon] : span).Trim();
    }
}
