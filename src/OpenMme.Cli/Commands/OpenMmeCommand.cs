using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace OpenMme.Cli.Commands;

/// <summary>The <c>openmme</c> root command.</summary>
internal static class OpenMmeCommand
{
    /// <summary>Exit code of a command line that does not parse, as for settings that are not valid.</summary>
    public const int UsageError = 2;

    public static RootCommand Create()
    {
        var root = new RootCommand("OpenMME: a self-hosted multi-model inference endpoint, wire-compatible with SageMaker.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(HostCommand.Create());
        root.Subcommands.Add(RouterCommand.Create());
        root.Subcommands.Add(SamplesCommand.Create());
        root.Subcommands.Add(InvokeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(BaselineCommand.Create());
        return root;
    }

    /// <summary>
    /// Runs one command line and returns its exit code. Everything the user reads goes to the
    /// configuration's output and error writers (the console unless a test passes its own).
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        configuration ??= new InvocationConfiguration();
        var result = Create().Parse(args);
        if (result.Action is not ParseErrorAction parseError || args.Length == 0)
        {
            return await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }

        // The error and where to read more, rather than the whole help above an error that scrolls
        // away (a bare `openmme` still gets the help).
        parseError.ShowHelp = false;
        await result.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        var path = new List<string>();
        for (var command = result.CommandResult; command.Parent is CommandResult parent; command = parent)
        {
            path.Insert(0, command.Command.Name);
        }

        await configuration.Error.WriteLineAsync($"See 'openmme {string.Join(' ', path)}{(path.Count > 0 ? " " : string.Empty)}--help'.").ConfigureAwait(false);
        return UsageError;
    }
}
