using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenMme.ControlPlane.State;

namespace OpenMme.ControlPlane.Provisioning;

/// <summary>
/// Keeps endpoints running as the state says: provisions on create, switches fleets on update (new
/// one up and published, old one drained, then stopped), stops on delete, and on start brings back
/// every endpoint that was in service (or on its way) before <c>serve</c> stopped or was killed.
/// Work on one endpoint runs one step at a time; each outcome is written to the state before the next.
/// </summary>
internal sealed partial class EndpointDeployer(StateStore store, IEndpointProvisioner provisioner, TimeProvider time, ILogger<EndpointDeployer> logger)
    : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IProvisionedEndpoint> _running = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Task, byte> _work = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    /// <summary>Instances running for a variant of an endpoint (0 when it runs none).</summary>
    public int InstanceCount(string endpointName, string variantName) =>
        _running.TryGetValue(endpointName, out var running) ? running.InstanceCount(variantName) : 0;

    /// <summary>Provisions a created endpoint (stored as <c>Creating</c>).</summary>
    public void Create(string endpointName) => Run(endpointName, ct => DeployAsync(endpointName, update: false, ct));

    /// <summary>Moves an endpoint to its pending deployment (stored as <c>Updating</c>).</summary>
    public void Update(string endpointName) => Run(endpointName, ct => DeployAsync(endpointName, update: true, ct));

    /// <summary>Stops an endpoint (stored as <c>Deleting</c>) and removes it.</summary>
    public void Delete(string endpointName) => Run(endpointName, async ct =>
    {
        if (_running.TryRemove(endpointName, out var running))
        {
            running.Withdraw();
            await running.DisposeAsync().ConfigureAwait(false);
        }

        await store.DeleteEndpointAsync(endpointName, ct).ConfigureAwait(false);
        LogDeleted(endpointName);
    });

    /// <summary>Brings back the endpoints the state says should run.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var endpoint in await store.ListEndpointsAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (endpoint.Status)
            {
                case EndpointStatus.Deleting:
                    Delete(endpoint.Name);
                    break;
                case EndpointStatus.Failed:
                    break;
                default:
                    // An update cut short by the restart is dropped: the endpoint comes back as it was
                    // deployed, which is what it served when the update began.
                    var status = endpoint.Status == EndpointStatus.Creating ? EndpointStatus.Creating : EndpointStatus.SystemUpdating;
                    var reason = endpoint.Pending is null ? endpoint.FailureReason : "An update was interrupted by a restart of openmme serve; the endpoint kept its previous configuration.";
                    await store.ReplaceEndpointAsync(endpoint with { Status = status, Pending = null, FailureReason = reason, LastModifiedTime = time.GetUtcNow() }, cancellationToken)
                        .ConfigureAwait(false);
                    LogRecovering(endpoint.Name, endpoint.Status);
                    Create(endpoint.Name);
                    break;
            }
        }
    }

    /// <summary>Waits for the work under way, then stops every endpoint's instances (the state keeps them for the next start).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_work.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ProvisioningException)
        {
        }

        foreach (var name in _running.Keys)
        {
            if (_running.TryRemove(name, out var running))
            {
                running.Withdraw();
                await running.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops as <see cref="StopAsync"/> does; a second call does nothing (the container disposes it once as itself and once as a hosted service).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task DeployAsync(string endpointName, bool update, CancellationToken cancellationToken)
    {
        if (await store.GetEndpointAsync(endpointName, cancellationToken).ConfigureAwait(false) is not { } endpoint)
        {
            return;
        }

        var deployment = update ? endpoint.Pending ?? endpoint.Deployment : endpoint.Deployment;
        IProvisionedEndpoint started;
        try
        {
            started = await provisioner.ProvisionAsync(endpoint.Name, deployment, cancellationToken).ConfigureAwait(false);
        }
        catch (ProvisioningException e)
        {
            LogFailed(endpointName, e.Message);
            var failed = update
                ? endpoint with { Status = EndpointStatus.InService, FailureReason = e.Message, Pending = null, LastModifiedTime = time.GetUtcNow() }
                : endpoint with { Status = EndpointStatus.Failed, FailureReason = e.Message, LastModifiedTime = time.GetUtcNow() };
            await store.ReplaceEndpointAsync(failed, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        started.Publish();
        _running.TryGetValue(endpointName, out var previous);
        _running[endpointName] = started;
        var now = endpoint with
        {
            Status = EndpointStatus.InService,
            FailureReason = update ? null : endpoint.FailureReason,
            Deployment = deployment,
            Pending = null,
            LastModifiedTime = time.GetUtcNow(),
        };
        await store.ReplaceEndpointAsync(now, CancellationToken.None).ConfigureAwait(false);
        LogInService(endpointName, deployment.ConfigName, deployment.InstanceCount);
        if (previous is not null && !ReferenceEquals(previous, started))
        {
            // Published over: no new request reaches it; what is in flight finishes first.
            await previous.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Run(string endpointName, Func<CancellationToken, Task> step)
    {
        var turn = _turns.GetOrAdd(endpointName, _ => new SemaphoreSlim(1, 1));
        var token = _stopping.Token;
        var work = Task.Run(async () =>
        {
            await turn.WaitAsync(token).ConfigureAwait(false);
            try
            {
                await step(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                LogStepFailed(endpointName, e);
            }
            finally
            {
                turn.Release();
            }
        }, CancellationToken.None);
        _work.TryAdd(work, 0);
        _ = work.ContinueWith(t => _work.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoint {Endpoint} is in service with config {Config} ({Instances} instances)")]
    private partial void LogInService(string endpoint, string config, int instances);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {Endpoint} could not be provisioned: {Reason}")]
    private partial void LogFailed(string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoint {Endpoint} was {Status} before this start; starting its instances again")]
    private partial void LogRecovering(string endpoint, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoint {Endpoint} deleted; its instances are stopped")]
    private partial void LogDeleted(string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Work on endpoint {Endpoint} failed")]
    private partial void LogStepFailed(string endpoint, Exception exception);
}
