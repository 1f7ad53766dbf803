namespace OpenMme.Store;

/// <summary>Opens the store named by a model source URL.</summary>
public static class ModelStores
{
    /// <summary>Creates the store for <paramref name="source"/>: a folder path, <c>file:///DIR/</c> or <c>s3://bucket/prefix/</c>.</summary>
    public static IModelStore Open(string source, S3StoreOptions? s3 = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (source.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            return new S3ModelStore(source, s3 ?? new S3StoreOptions());
        }

        if (source.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return new LocalFolderStore(new Uri(source).LocalPath);
        }

        if (source.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Model source '{source}' is not supported; use a folder path, file:///DIR/ or s3://bucket/prefix/.", nameof(source));
        }

        return new LocalFolderStore(source);
    }
}
