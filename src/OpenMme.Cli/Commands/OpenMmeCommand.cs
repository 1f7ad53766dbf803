using System.CommandLine;

namespace OpenMme.Cli.Commands;

/// <summary>The <c>openmme</c> root command.</summary>
internal static class OpenMmeCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("OpenMME: a self-hosted multi-model inference endpoint, wire-compatible with SageMaker.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(SamplesCommand.Create());
        root.Subcommands.Add(InvokeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(BaselineCommand.Create());
        return root;
    }
}
