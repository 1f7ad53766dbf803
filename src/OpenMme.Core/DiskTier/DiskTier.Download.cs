using System.Text.Json;
using OpenMme.Failures;
using OpenMme.Runtime;
using OpenMme.Store;

namespace OpenMme.DiskTier;

/// <summary>Downloads: reserve room, read and verify, unpack, record, rename into place; bounded in time, cleaned up on any failure.</summary>
public sealed partial class DiskTier
{
    private async Task<StagedArtifact> DownloadAsync(string id, IModelStore store, ArtifactInfo artifact, TimeSpan startAfter)
    {
        if (startAfter > TimeSpan.Zero)
        {
            await Task.Delay(startAfter, _time).ConfigureAwait(false);
        }

        // Reserve the artifact's stored size before the first byte lands, so concurrent
        // downloads together stay inside the budget; the real size is accounted once complete.
        var started = _time.GetTimestamp();
        var reservation = artifact.Size + RecordAllowance;
        var staging = Path.Combine(_stagingPath, Guid.NewGuid().ToString("N"));
        var reserved = false;
        var complete = false;
        using var timeout = new CancellationTokenSource(_options.DownloadTimeout, _time);
        try
        {
            var trash = Reserve(reservation);
            reserved = true;
            DeleteNow(trash);
            var content = Path.Combine(staging, ContentFolderName);
            Directory.CreateDirectory(content);
            var modelPath = await FetchAsync(store, artifact, content, timeout.Token).ConfigureAwait(false);
            var relativeModel = Path.GetRelativePath(staging, modelPath);
            var contentBytes = SizeOnDisk(content);
            var recordBytes = JsonSerializer.SerializeToUtf8Bytes(
                new ArtifactRecord(artifact.Key, artifact.Version.Tag, relativeModel, contentBytes), DiskTierJsonContext.Default.ArtifactRecord);
            await File.WriteAllBytesAsync(Path.Combine(staging, RecordFileName), recordBytes, timeout.Token).ConfigureAwait(false);
            var bytes = contentBytes + recordBytes.Length;

            var final = Path.Combine(_artifactsPath, id);
            Directory.Move(staging, final);
            complete = true;
            Interlocked.Increment(ref _stagings);
            var staged = new StagedArtifact(artifact.Key, artifact.Version, final, Path.Combine(final, relativeModel), bytes, contentBytes,
                _time.GetElapsedTime(started));
            var slot = new ArtifactSlot(id, staged, Interlocked.Increment(ref _stagingOrder), _time.GetTimestamp());
            Add(slot);
            RemoveOtherVersions(slot);
            LogStaged(artifact.Key, artifact.Version.Tag, bytes);
            return staged;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new ModelHostException(FailureKind.StoreUnavailable,
                $"Downloading model data {store.Describe(artifact.Key)} did not finish within {_options.DownloadTimeout.TotalSeconds:0.###} s; the download was abandoned.");
        }
        finally
        {
            if (!complete)
            {
                TryDeleteDirectory(staging);
            }

            if (reserved)
            {
                Unreserve(reservation);
            }
        }
    }

    /// <summary>Reads the artifact into <paramref name="content"/> (unpacking archives) and verifies size and checksum; returns the model file.</summary>
    private async Task<string> FetchAsync(IModelStore store, ArtifactInfo artifact, string content, CancellationToken cancellationToken)
    {
        var source = await OpenAsync(store, artifact, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            using var counting = new VerifyingStream(source, artifact.Checksum, store.Describe(artifact.Key));
            string modelPath;
            if (ArtifactKinds.IsArchive(artifact.Key))
            {
                await SafeArchiveExtractor.ExtractAsync(counting, content, _options.Archive, cancellationToken).ConfigureAwait(false);
                await counting.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                modelPath = SafeArchiveExtractor.FindModelFile(content);
            }
            else if (ArtifactKinds.IsBareModel(artifact.Key))
            {
                modelPath = Path.Combine(content, "model.onnx");
                if (store is LocalFolderStore local)
                {
                    await CopyLocalAsync(local, artifact, modelPath).ConfigureAwait(false);
                    return modelPath;
                }

                await CopyToFileAsync(counting, modelPath, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new ModelLoadException("the artifact is neither a .onnx file nor a .tar.gz/.tgz archive");
            }

            if (counting.BytesRead != artifact.Size)
            {
                throw new ModelHostException(FailureKind.StoreUnavailable,
                    $"Read {counting.BytesRead} bytes of {store.Describe(artifact.Key)}, expected {artifact.Size}; the artifact changed or the connection broke while it was downloaded.");
            }

            if (artifact.Checksum is { } checksum && counting.Digest() is { } digest && digest != checksum.Base64Value)
            {
                throw new ModelHostException(FailureKind.StoreUnavailable,
                    $"The {checksum.Algorithm} checksum of {store.Describe(artifact.Key)} is {digest}, the store says {checksum.Base64Value}; the download was corrupted.");
            }

            return modelPath;
        }
    }

    private static async Task<Stream> OpenAsync(IModelStore store, ArtifactInfo artifact, CancellationToken cancellationToken)
    {
        try
        {
            return await store.OpenReadAsync(artifact, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException e)
        {
            throw new ModelHostException(FailureKind.ArtifactNotFound, $"Failed to download model data {store.Describe(artifact.Key)}: the artifact does not exist.", e);
        }
    }

    /// <summary>
    /// A bare model in a local folder is copied by the kernel, not through a stream, and the source's
    /// identity is checked after the copy: a file rewritten meanwhile is not staged as the version it was.
    /// </summary>
    private static async Task CopyLocalAsync(LocalFolderStore store, ArtifactInfo artifact, string destination)
    {
        var source = store.FileOf(artifact.Key)
            ?? throw new ModelHostException(FailureKind.ArtifactNotFound, $"Failed to download model data {store.Describe(artifact.Key)}: the artifact does not exist.");
        File.Copy(source, destination);
        var now = await store.StatAsync(artifact.Key, CancellationToken.None).ConfigureAwait(false);
        if (now?.Version != artifact.Version || new FileInfo(destination).Length != artifact.Size)
        {
            throw new ModelHostException(FailureKind.StoreUnavailable,
                $"Model data {store.Describe(artifact.Key)} changed while it was copied (version {artifact.Version} became {now?.Version}); try again once it is written.");
        }
    }

    private static async Task CopyToFileAsync(Stream source, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        await source.CopyToAsync(file, 1 << 20, cancellationToken).ConfigureAwait(false);
    }
}
