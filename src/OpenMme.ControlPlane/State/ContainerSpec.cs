namespace OpenMme.ControlPlane.State;

/// <summary>A model's <c>PrimaryContainer</c>, as given.</summary>
/// <param name="Image">Recorded as given: the built-in ONNX backend serves every image.</param>
/// <param name="Mode"><c>MultiModel</c> or <c>SingleModel</c>.</param>
/// <param name="ModelDataUrl">The store prefix (multi-model) or the one artifact (single-model).</param>
/// <param name="Environment">Recorded and described back; the built-in backend reads none of it.</param>
/// <param name="ModelCacheSetting"><c>Enabled</c> or <c>Disabled</c>, or null when not given.</param>
internal sealed record ContainerSpec(string? Image, string Mode, string? ModelDataUrl, IReadOnlyDictionary<string, string> Environment, string? ModelCacheSetting)
{
    public const string MultiModel = "MultiModel";
    public const string SingleModel = "SingleModel";

    public bool IsSingleModel => Mode == SingleModel;
}
