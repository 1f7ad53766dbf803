using System.CommandLine;

namespace OpenMme.Cli.Commands;

/// <summary>Runs an <c>openmme</c> command line in this process and keeps what a user would read.</summary>
internal static class CommandRun
{
    public static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await OpenMmeCommand.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
