using System.CommandLine;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme host</c>: one instance of a fleet, behind a router (<c>serve</c> without its extras).</summary>
internal static class HostCommand
{
    public static Command Create()
    {
        var options = new HostCommandOptions();
        var parentPid = new Option<int?>("--parent-pid")
        {
            HelpName = "pid",
            Description = "Stop when this process is gone (serve --instances passes its own).",
            CustomParser = OptionParsers.OptionalInt,
            Hidden = true,
        };
        var command = new Command("host", "Run one instance of a fleet: the runtime API and container contract of one machine, for a router to send requests to.")
        {
            parentPid,
        };
        options.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            var settings = await options.BuildAsync(result, errors).ConfigureAwait(false);
            return settings is null
                ? OpenMmeCommand.UsageError
                : await HostRunner.RunAsync(settings, "host", output, _ => Task.CompletedTask, errors, cancellationToken, result.GetValue(parentPid)).ConfigureAwait(false);
        });
        return command;
    }
}
