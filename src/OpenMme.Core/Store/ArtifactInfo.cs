namespace OpenMme.Store;

/// <summary>What the store says about one artifact.</summary>
/// <param name="Key">The relative key under the store's prefix, e.g. <c>fraud/v3.tar.gz</c>.</param>
/// <param name="Size">Size in bytes as stored.</param>
/// <param name="Version">Store identity; a changed object has a new version.</param>
/// <param name="Checksum">A whole-object checksum to verify the download against, when the store gives one.</param>
public sealed record ArtifactInfo(string Key, long Size, ArtifactVersion Version, ArtifactChecksum? Checksum = null);
