using OpenMme.Store;

namespace OpenMme.Cli.Bench;

/// <summary>
/// The models of a sample folder as <c>bench --requests</c> and <c>plan --models</c> both see them:
/// every artifact with <c>NAME.request.json</c> beside it (as <c>openmme samples</c> writes), in
/// ordinal order of name, so both number the models alike and a seeded trace ranks them alike.
/// </summary>
internal static class SampleArtifacts
{
    /// <summary>The artifacts with their request files, by name.</summary>
    public static IEnumerable<(string Name, string Path, string RequestPath)> In(string folder)
    {
        foreach (var artifact in Directory.EnumerateFiles(folder).Where(ArtifactKinds.IsArtifact).Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(artifact);
            var stem = name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) ? name[..^7] : System.IO.Path.GetFileNameWithoutExtension(name);
            var request = System.IO.Path.Combine(folder, stem + ".request.json");
            if (File.Exists(request))
            {
                yield return (name, artifact, request);
            }
        }
    }
}
