namespace OpenMme.Cli.Commands;

/// <summary>How a test starts the <c>openmme</c> command.</summary>
public enum Launcher
{
    /// <summary><c>dotnet openmme.dll</c>, as <c>dotnet</c> runs a local tool.</summary>
    Dotnet,

    /// <summary>The <c>openmme</c> executable beside the assembly, as a published folder, <c>dotnet run</c> or an installed global tool run it.</summary>
    AppHost,
}
