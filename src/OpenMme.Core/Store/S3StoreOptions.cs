namespace OpenMme.Store;

/// <summary>
/// How to reach an S3-compatible store. Unset values come from the standard AWS environment
/// (<c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_ENDPOINT_URL</c>, <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>,
/// <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, the shared profile).
/// </summary>
public sealed record S3StoreOptions
{
    /// <summary>Endpoint of an S3-compatible server (MinIO, Ceph, R2, s3rver); null for AWS or the environment's.</summary>
    public string? EndpointUrl { get; init; }

    /// <summary>Region; null for the environment's, else us-east-1.</summary>
    public string? Region { get; init; }

    /// <summary>Access key; null for the default credential chain.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>Secret key, with <see cref="AccessKeyId"/>.</summary>
    public string? SecretAccessKey { get; init; }

    /// <summary>Attempts per store call before the store counts as unreachable.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Wait before the first retry; doubled for each further one.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Time allowed for one metadata call, for a download to start answering, and for each read of its body to receive anything.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
