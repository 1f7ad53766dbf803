namespace OpenMme.ControlPlane.Api;

/// <summary>
/// The control plane's one table of refusals: each case with the <c>__type</c> SageMaker answers it
/// with and a message in SageMaker's wording (checked against errors SageMaker returned to boto3
/// users, as quoted in public issue threads).
/// </summary>
internal static class ControlPlaneErrors
{
    public const string Validation = "ValidationException";
    public const string NotFound = "ResourceNotFound";
    public const string InUse = "ResourceInUse";
    public const string LimitExceeded = "ResourceLimitExceeded";
    public const string UnknownOperation = "UnknownOperationException";
    public const string Serialization = "SerializationException";
    public const string InternalFailure = "InternalFailure";

    /// <summary>SageMaker's kind words in messages, e.g. <c>endpoint configuration</c>.</summary>
    public static ControlPlaneException AlreadyExists(string kind, string arn) => new(Validation, $"Cannot create already existing {kind} \"{arn}\".");

    public static ControlPlaneException CouldNotFind(string kind, string arn) => new(Validation, $"Could not find {kind} \"{arn}\".");

    public static ControlPlaneException InProgress(string arn) => new(Validation, $"Cannot update in-progress endpoint \"{arn}\".");

    public static ControlPlaneException Invalid(string message) => new(Validation, message);

    public static ControlPlaneException Unknown(string target) =>
        new(UnknownOperation, target.Length == 0 ? "Missing X-Amz-Target header: name an operation, e.g. SageMaker.CreateModel." : $"Operation {target} is not supported.");

    /// <summary>A quota: the limit, what is in use, and what the request would add.</summary>
    public static ControlPlaneException Limit(string quota, int limit, int used, int delta, string unit, string option) => new(LimitExceeded,
        $"The account-level service limit '{quota}' is {limit} {unit}, with current utilization of {used} {unit} and a request delta of {delta} {unit}. "
        + $"Raise it with {option} when starting openmme serve.");
}
