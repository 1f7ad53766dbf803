using System.CommandLine;
using OpenMme.Router;
using OpenMme.Wire;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme router</c>: the runtime API front door of a fleet of <c>host</c> instances.</summary>
internal static class RouterCommand
{
    public static Command Create()
    {
        var options = new RouterCommandOptions(forServe: false);
        var command = new Command("router",
            "Front a fleet of 'openmme host' instances: each request goes to the instance that has its model (rendezvous hashing with spill), "
            + "and to the next one when an instance cannot be reached. Instances from --instance or a DNS name.");
        options.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            var signing = await options.Signing.BuildAsync(result, errors).ConfigureAwait(false);
            if (signing is null)
            {
                return OpenMmeCommand.UsageError;
            }

            var settings = options.Build(result) with { Signing = signing };
            var problems = settings.Validate();
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await errors.WriteLineAsync(problem).ConfigureAwait(false);
                }

                return OpenMmeCommand.UsageError;
            }

            return await RouterRunner.RunAsync(settings, "router", output, _ => Task.CompletedTask, errors, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}

/// <summary>Runs a router in this process until shutdown (<c>router</c>, <c>serve --instances</c>).</summary>
internal static class RouterRunner
{
    public static async Task<int> RunAsync(RouterSettings settings, string command, TextWriter output, Func<Uri, Task> started, TextWriter errors, CancellationToken cancellationToken,
        IFrontDoorExtension? extension = null)
    {
        InlineCompletions.Enable();
        await using var app = RouterApplication.Create(settings, extension: extension);
        try
        {
            await RouterApplication.StartAsync(app, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ListenFailure.TryDescribe(e, command, settings.ListenAddress, settings.Port, out var message))
        {
            await errors.WriteLineAsync(message).ConfigureAwait(false);
            return 1;
        }

        var address = WireApplication.ListeningAddress(app);
        var fleet = app.Services.GetRequiredService<Fleet>();
        await output.WriteLineAsync($"OpenMME router{HostRunner.ServingAt}{address} (endpoint '{settings.EndpointName}', {fleet.Healthy.Count} of {fleet.All.Count} instances healthy "
            + $"from {app.Services.GetRequiredService<IInstanceSource>().Description}, placement {(settings.Policy == PlacementPolicy.Random ? "random" : "rendezvous")}, "
            + $"spill at {settings.SpillThreshold}, {HostRunner.SigningText(settings.Signing)}).").ConfigureAwait(false);
        await started(address).ConfigureAwait(false);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
