namespace OpenMme.Store;

/// <summary>An artifact's store identity: the ETag, or size and modification time for plain files.</summary>
public readonly record struct ArtifactVersion(string Tag)
{
    /// <inheritdoc />
    public override string ToString() => Tag;
}
