namespace OpenMme.DiskTier;

/// <summary>
/// A claim on one staged artifact: while it is held, the disk tier does not delete the artifact's
/// files. Loads hold one from before staging until their session exists, and loaded models hold
/// one until they leave memory. Disposing twice releases once.
/// </summary>
public sealed class ArtifactHandle : IDisposable
{
    private readonly DiskTier _tier;
    private readonly ArtifactSlot _slot;
    private int _released;

    internal ArtifactHandle(DiskTier tier, ArtifactSlot slot)
    {
        _tier = tier;
        _slot = slot;
    }

    /// <summary>The staged artifact this handle keeps on disk.</summary>
    public StagedArtifact Artifact => _slot.Artifact;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _tier.Release(_slot);
        }
    }
}
