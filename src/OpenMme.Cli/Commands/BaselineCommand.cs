using System.CommandLine;
using OpenMme.Cli.Bench;
using OpenMme.Wire;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme baseline</c>: a bare Kestrel endpoint, the floor every HTTP benchmark is compared to.</summary>
internal static class BaselineCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 0, CustomParser = OptionParsers.Int };
        var responseBytes = new Option<int>("--response-bytes")
        {
            HelpName = "bytes",
            Description = "Size of the fixed answer in bytes.",
            DefaultValueFactory = _ => 180,
            CustomParser = OptionParsers.Int,
        };
        var command = new Command("baseline", "Run a bare Kestrel endpoint that answers every invocation with a fixed body (benchmark floor).")
        {
            port, responseBytes,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var app = BareKestrelEndpoint.Create(result.GetValue(port), result.GetValue(responseBytes));
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ListenFailure.TryDescribe(e, "baseline", "127.0.0.1", result.GetValue(port), out var message))
            {
                await result.InvocationConfiguration.Error.WriteLineAsync(message).ConfigureAwait(false);
                return 1;
            }

            await result.InvocationConfiguration.Output.WriteLineAsync($"Baseline listening at {app.ListeningAddress()}").ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
