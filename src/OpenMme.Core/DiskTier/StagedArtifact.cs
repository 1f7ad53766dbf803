using OpenMme.Store;

namespace OpenMme.DiskTier;

/// <summary>An artifact unpacked in the cache folder, complete and ready to load.</summary>
/// <param name="Key">The store key.</param>
/// <param name="Version">The store version it was staged from.</param>
/// <param name="Directory">The artifact's folder in the cache.</param>
/// <param name="ModelPath">The model file inside <paramref name="Directory"/>.</param>
/// <param name="Bytes">Bytes on disk, the record included (what the disk budget counts).</param>
/// <param name="ContentBytes">Bytes of the unpacked model files (what the memory estimate starts from).</param>
/// <param name="DownloadTime">How long its download took (zero when it was found on disk at start-up).</param>
public sealed record StagedArtifact(string Key, ArtifactVersion Version, string Directory, string ModelPath, long Bytes, long ContentBytes,
    TimeSpan DownloadTime = default);
