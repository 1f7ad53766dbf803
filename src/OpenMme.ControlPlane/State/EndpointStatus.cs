namespace OpenMme.ControlPlane.State;

/// <summary>SageMaker's <c>EndpointStatus</c> values that OpenMME uses.</summary>
internal static class EndpointStatus
{
    public const string Creating = "Creating";
    public const string InService = "InService";
    public const string Updating = "Updating";

    /// <summary>Coming back after <c>serve</c> restarted: its instances are being started again.</summary>
    public const string SystemUpdating = "SystemUpdating";
    public const string Deleting = "Deleting";
    public const string Failed = "Failed";
}
