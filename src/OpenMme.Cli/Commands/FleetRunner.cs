using OpenMme.Host;
using OpenMme.Router;
using OpenMme.Wire;

namespace OpenMme.Cli.Commands;

/// <summary>
/// <c>serve --instances N</c>: N <c>host</c> children on loopback, each with its share of the
/// budgets and a cache folder of its own, behind a router in this process. A child that exits
/// is started again on the same port; the children stop with this process (and, should it be
/// killed, by themselves: each watches its parent).
/// </summary>
internal static class FleetRunner
{
    public static async Task<int> RunAsync(ModelHostSettings settings, int count, RouterSettings routerSettings, Func<Uri, Task> started, TextWriter output,
        TextWriter errors, CancellationToken cancellationToken, IFrontDoorExtension? extension = null)
    {
        var children = new List<HostChild>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var index = i;
                children.Add(new HostChild(port => HostCommandOptions.ChildArguments(settings, index, count, port), $"instance {index}", output));
            }

            var addresses = await Task.WhenAll(children.Select(c => c.StartAsync(cancellationToken))).ConfigureAwait(false);
            if (addresses.Any(a => a is null))
            {
                await errors.WriteLineAsync($"openmme serve: {addresses.Count(a => a is null)} of {count} instances did not start; see their lines above.").ConfigureAwait(false);
                return 1;
            }

            return await RouterRunner.RunAsync(routerSettings with { Instances = addresses! }, "serve", output, started, errors, cancellationToken, extension).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAll(children.Select(c => c.StopAsync(settings.DrainDelay + TimeSpan.FromSeconds(10)))).ConfigureAwait(false);
            foreach (var child in children)
            {
                child.Dispose();
            }
        }
    }
}
