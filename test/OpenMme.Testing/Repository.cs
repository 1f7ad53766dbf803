namespace OpenMme.TestSupport;

/// <summary>Where the repository is, seen from a test or benchmark binary below it.</summary>
public static class Repository
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OpenMme.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("OpenMme.slnx not found above " + AppContext.BaseDirectory);
    }
}
