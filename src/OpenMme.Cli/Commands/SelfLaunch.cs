using System.Diagnostics;
using System.Reflection;
using OpenMme.Router;

namespace OpenMme.Cli.Commands;

/// <summary>
/// Starts this command line tool again as a child process, however it was started itself: the
/// apphost (<c>openmme</c>, also under <c>dotnet run</c>, in a published folder or as an
/// installed .NET tool), a single-file executable, or <c>dotnet openmme.dll</c>.
/// </summary>
internal static class SelfLaunch
{
    /// <summary>A start for <c>openmme ARGUMENTS</c> as the running process was started.</summary>
    public static ProcessStartInfo StartInfo(params string[] arguments) =>
        StartInfo(Environment.ProcessPath!, Assembly.GetEntryAssembly()!.Location, arguments);

    /// <param name="processPath">The running executable: the apphost, or the <c>dotnet</c> host.</param>
    /// <param name="assemblyPath">The entry assembly, which only the <c>dotnet</c> host needs to be told.</param>
    /// <param name="arguments">The command line after the program.</param>
    internal static ProcessStartInfo StartInfo(string processPath, string assemblyPath, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(processPath) { UseShellExecute = false };

        // A router process runs socket completions inline; a child decides that for itself.
        start.Environment.Remove(InlineCompletions.Variable);
        if (IsDotnetHost(processPath))
        {
            start.ArgumentList.Add(assemblyPath);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    // The apphost knows its own assembly; given the .dll again it would take it for a command.
    private static bool IsDotnetHost(string processPath) =>
        string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase);
}
