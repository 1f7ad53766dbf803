namespace OpenMme.Store;

/// <summary>Opens the store named by a model source URL.</summary>
public static class ModelStores
{
    /// <summary>Creates the store for <paramref name="source"/>: a folder path or <c>file:///DIR/</c>.</summary>
    public static IModelStore Open(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (source.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return new LocalFolderStore(new Uri(source).LocalPath);
        }

        if (source.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Model source '{source}' is not supported; use a folder path or file:///DIR/.", nameof(source));
        }

        return new LocalFolderStore(source);
    }
}
