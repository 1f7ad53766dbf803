namespace OpenMme.Host;

/// <summary>
/// On shutdown, before any server stops: <c>/ping</c> starts answering 503 while requests are
/// still served for the drain delay, so a router stops sending here. Kestrel then stops
/// listening and finishes the requests in flight, and the container's disposal of the memory
/// tier unloads every model. The start and the end of the drain are logged with the requests
/// in flight, so an operator sees what a slow shutdown is waiting for.
/// </summary>
internal sealed partial class DrainOnShutdown(InstanceState state, ModelHostSettings settings, TimeProvider time, ILogger<DrainOnShutdown> logger)
    : IHostedLifecycleService
{
    private long _drainStarted;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.StartDraining();
        _drainStarted = time.GetTimestamp();
        LogDraining(settings.DrainDelay.TotalSeconds, state.RequestsInFlight);
        if (settings.DrainDelay > TimeSpan.Zero)
        {
            await Task.Delay(settings.DrainDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        // Runs after Kestrel stopped, so what is still counted did not finish within the shutdown
        // timeout. A host that never started draining (a failed start) has no drain to report.
        if (_drainStarted != 0)
        {
            LogDrained(time.GetElapsedTime(_drainStarted).TotalSeconds, state.RequestsInFlight);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Draining for shutdown: /ping answers 503 and requests are served for {DrainSeconds} s more, then the listener closes; {InFlight} requests in flight")]
    private partial void LogDraining(double drainSeconds, long inFlight);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained in {Seconds:0.0} s: the listener is closed; requests unfinished: {Unfinished}")]
    private partial void LogDrained(double seconds, long unfinished);
}
