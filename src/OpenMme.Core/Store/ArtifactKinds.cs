namespace OpenMme.Store;

/// <summary>The artifact forms the disk tier understands, told apart by key suffix.</summary>
public static class ArtifactKinds
{
    /// <summary>True for a bare <c>.onnx</c> file.</summary>
    public static bool IsBareModel(string key) => key.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for a gzip-compressed tar archive (<c>.tar.gz</c> or <c>.tgz</c>).</summary>
    public static bool IsArchive(string key) =>
        key.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || key.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for any artifact form.</summary>
    public static bool IsArtifact(string key) => IsBareModel(key) || IsArchive(key);
}
