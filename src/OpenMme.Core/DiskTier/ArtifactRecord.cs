namespace OpenMme.DiskTier;

/// <summary>The record written beside a staged artifact once it is complete; it is what survives restarts.</summary>
internal sealed record ArtifactRecord(string Key, string Version, string ModelPath, long Bytes);
