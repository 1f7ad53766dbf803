namespace OpenMme.Router;

/// <summary>
/// The instances behind the router: membership from an <see cref="IInstanceSource"/>, health from
/// checks and deliveries. Readers take immutable snapshots; only the monitor writes membership.
/// </summary>
public sealed class Fleet(ILogger<Fleet> logger)
{
    private readonly Lock _gate = new();
    private FleetInstance[] _all = [];
    private FleetInstance[] _healthy = [];

    /// <summary>Every member, healthy or not.</summary>
    public IReadOnlyList<FleetInstance> All => Volatile.Read(ref _all);

    /// <summary>The members that take requests.</summary>
    public IReadOnlyList<FleetInstance> Healthy => Volatile.Read(ref _healthy);

    /// <summary>Sets the members to <paramref name="addresses"/>, keeping what is known of those that stay.</summary>
    public void SetMembers(IEnumerable<Uri> addresses)
    {
        lock (_gate)
        {
            var current = All.ToDictionary(i => i.Id, StringComparer.Ordinal);
            var next = new List<FleetInstance>();
            foreach (var address in addresses.DistinctBy(a => a.Authority))
            {
                if (current.Remove(address.Authority, out var known))
                {
                    next.Add(known);
                }
                else
                {
                    next.Add(new FleetInstance(address));
                    LogJoined(address.Authority);
                }
            }

            foreach (var gone in current.Keys)
            {
                LogLeft(gone);
            }

            Volatile.Write(ref _all, next.ToArray());
            RefreshHealthy();
        }
    }

    /// <summary>The instance answered a check or a request.</summary>
    public void Succeeded(FleetInstance instance)
    {
        if (instance.Succeeded())
        {
            LogHealthy(instance.Id);
            RefreshHealthy();
        }
    }

    /// <summary>A check failed, or a request could not be delivered (<paramref name="delivery"/>: the instance leaves at once).</summary>
    public void Failed(FleetInstance instance, int unhealthyAfter, bool delivery, string reason)
    {
        if (instance.Failed(unhealthyAfter, delivery))
        {
            LogUnhealthy(instance.Id, reason);
            RefreshHealthy();
        }
    }

    /// <summary>The member with <paramref name="id"/> (host:port), or null.</summary>
    public FleetInstance? Find(string id)
    {
        foreach (var instance in All)
        {
            if (instance.Id == id)
            {
                return instance;
            }
        }

        return null;
    }

    private void RefreshHealthy()
    {
        lock (_gate)
        {
            Volatile.Write(ref _healthy, All.Where(i => i.IsHealthy).ToArray());
        }
    }

    private void LogJoined(string id) => logger.LogInformation("Instance {Instance} joined the fleet; it takes requests once it answers /ping", id);

    private void LogLeft(string id) => logger.LogInformation("Instance {Instance} left the fleet", id);

    private void LogHealthy(string id) => logger.LogInformation("Instance {Instance} answers /ping and takes requests", id);

    private void LogUnhealthy(string id, string reason) => logger.LogWarning("Instance {Instance} takes no requests until it answers /ping: {Reason}", id, reason);
}
