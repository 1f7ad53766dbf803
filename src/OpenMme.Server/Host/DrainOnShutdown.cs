namespace OpenMme.Host;

/// <summary>
/// On shutdown, before any server stops: <c>/ping</c> starts answering 503 while requests are
/// still served for the drain delay, so a router stops sending here. Kestrel then stops
/// listening and finishes the requests in flight, and the container's disposal of the memory
/// tier unloads every model.
/// </summary>
internal sealed class DrainOnShutdown(InstanceState state, ModelHostSettings settings, TimeProvider time) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.StartDraining();
        if (settings.DrainDelay > TimeSpan.Zero)
        {
            await Task.Delay(settings.DrainDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
