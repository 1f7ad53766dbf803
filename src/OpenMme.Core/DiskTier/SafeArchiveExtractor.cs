using System.Formats.Tar;
using System.IO.Compression;
using OpenMme.Runtime;

namespace OpenMme.DiskTier;

/// <summary>
/// Unpacks a <c>.tar.gz</c> artifact into an empty folder, treating the archive as hostile:
/// no absolute paths, no <c>..</c>, no links that leave the folder, no devices, and caps on
/// total bytes and entry count. Any violation throws <see cref="ModelLoadException"/>.
/// </summary>
internal static class SafeArchiveExtractor
{
    private const int CopyBufferSize = 81920;

    public static async Task ExtractAsync(Stream gzipped, string destination, ArchiveLimits limits, CancellationToken cancellationToken)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        Directory.CreateDirectory(root);
        await using var gzip = new GZipStream(gzipped, CompressionMode.Decompress, leaveOpen: true);
        await using var reader = new TarReader(gzip, leaveOpen: true);
        long unpacked = 0;
        var entries = 0;
        var buffer = new byte[CopyBufferSize];
        try
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                if (++entries > limits.MaxEntries)
                {
                    throw new ModelLoadException($"the archive has more than {limits.MaxEntries} entries");
                }

                var target = ResolveInside(root, entry.Name, "entry");
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(target);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        if (entry.Length > limits.MaxUnpackedBytes - unpacked)
                        {
                            throw TooLarge(limits);
                        }

                        unpacked += await WriteFileAsync(entry.DataStream, target, limits.MaxUnpackedBytes - unpacked, buffer, cancellationToken)
                            .ConfigureAwait(false);
                        break;
                    case TarEntryType.SymbolicLink:
                        CreateSymbolicLink(root, entry.Name, entry.LinkName, target);
                        break;
                    case TarEntryType.HardLink:
                        var source = ResolveInside(root, entry.LinkName, "hard link target");
                        if (!File.Exists(source))
                        {
                            throw new ModelLoadException($"hard link '{entry.Name}' points to '{entry.LinkName}', which is not an earlier file of the archive");
                        }

                        var length = new FileInfo(source).Length;
                        if (length > limits.MaxUnpackedBytes - unpacked)
                        {
                            throw TooLarge(limits);
                        }

                        EnsureParent(target);
                        File.Copy(source, target, overwrite: false);
                        unpacked += length;
                        break;
                    default:
                        throw new ModelLoadException($"entry '{entry.Name}' is a {entry.EntryType}; only files, folders and links inside the archive are allowed");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new ModelLoadException($"the archive is not a valid .tar.gz ({e.Message})", e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            // File-system messages name full paths; clients see them relative to the model folder.
            throw new ModelLoadException($"the archive could not be unpacked ({e.Message.Replace(root + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal)})", e);
        }
    }

    /// <summary>Finds the model file of an unpacked artifact: the one <c>model.onnx</c>, else the only <c>*.onnx</c>.</summary>
    public static string FindModelFile(string root)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            MaxRecursionDepth = 8,
            AttributesToSkip = FileAttributes.ReparsePoint,
        };
        var named = Directory.GetFiles(root, "model.onnx", options);
        if (named.Length == 1)
        {
            return named[0];
        }

        if (named.Length > 1)
        {
            throw new ModelLoadException($"the archive holds {named.Length} files named model.onnx; it must hold exactly one");
        }

        var any = Directory.GetFiles(root, "*.onnx", options);
        return any.Length == 1
            ? any[0]
            : throw new ModelLoadException("the archive holds no model.onnx");
    }

    private static string ResolveInside(string root, string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ModelLoadException($"the archive has an {what} with an empty or invalid name");
        }

        if (Path.IsPathRooted(name) || name[0] == '/' || name[0] == '\\')
        {
            throw new ModelLoadException($"{what} '{name}' is an absolute path");
        }

        foreach (var segment in name.Split('/', '\\'))
        {
            if (segment == "..")
            {
                throw new ModelLoadException($"{what} '{name}' contains '..'");
            }
        }

        var full = Path.GetFullPath(Path.Combine(root, name));
        if (full != root && !full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ModelLoadException($"{what} '{name}' leaves the model folder");
        }

        return Path.TrimEndingDirectorySeparator(full);
    }

    private static void CreateSymbolicLink(string root, string name, string linkTarget, string target)
    {
        // A link target without '..' that is relative resolves downward from the link's own folder,
        // so it stays inside the model folder however other links inside it are arranged.
        if (string.IsNullOrEmpty(linkTarget) || Path.IsPathRooted(linkTarget) || linkTarget[0] is '/' or '\\')
        {
            throw new ModelLoadException($"link '{name}' points to '{linkTarget}', outside the model folder");
        }

        foreach (var segment in linkTarget.Split('/', '\\'))
        {
            if (segment == "..")
            {
                throw new ModelLoadException($"link '{name}' points to '{linkTarget}', outside the model folder");
            }
        }

        var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(target)!, linkTarget));
        if (!resolved.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ModelLoadException($"link '{name}' points to '{linkTarget}', outside the model folder");
        }

        EnsureParent(target);
        File.CreateSymbolicLink(target, linkTarget);
    }

    private static async Task<long> WriteFileAsync(Stream? data, string target, long allowance, byte[] buffer, CancellationToken cancellationToken)
    {
        EnsureParent(target);
        await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        if (data is null)
        {
            return 0;
        }

        long written = 0;
        int read;
        while ((read = await data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            written += read;
            if (written > allowance)
            {
                throw new ModelLoadException("the archive unpacks to more bytes than allowed");
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        return written;
    }

    private static void EnsureParent(string target)
    {
        var parent = Path.GetDirectoryName(target);
        if (parent is not null)
        {
            Directory.CreateDirectory(parent);
        }
    }

    private static ModelLoadException TooLarge(ArchiveLimits limits) =>
        new($"the archive unpacks to more than {limits.MaxUnpackedBytes} bytes, the cap for one model");
}
