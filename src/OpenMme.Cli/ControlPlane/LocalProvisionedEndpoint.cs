using OpenMme.Cli.Commands;
using OpenMme.ControlPlane.Provisioning;
using OpenMme.Router;

namespace OpenMme.Cli.ControlPlane;

/// <summary>An endpoint's deployment on this machine: its <c>host</c> children and the fleet that routes to them.</summary>
internal sealed class LocalProvisionedEndpoint(EndpointFleets fleets, EndpointFleet fleet, IReadOnlyList<(string Variant, HostChild Child)> children) : IProvisionedEndpoint
{
    /// <summary>How long a replaced or withdrawn deployment's requests in flight may take to finish before its instances stop.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a replaced or withdrawn deployment is left alone before its requests in flight are counted:
    /// a request that looked its endpoint up just before the switch has not entered an instance yet.
    /// </summary>
    public static readonly TimeSpan SwitchGrace = TimeSpan.FromSeconds(1);

    private int _disposed;

    public int InstanceCount(string variantName) =>
        children.Count(c => string.Equals(c.Variant, variantName, StringComparison.Ordinal) && c.Child.ProcessId is not null);

    public void Publish() => fleets.Publish(fleet);

    public void Withdraw()
    {
        if (fleets.TryGet(fleet.Name, out var published) && ReferenceEquals(published, fleet))
        {
            fleets.Withdraw(fleet.Name);
        }
    }

    /// <summary>The children's process ids (tests check they are gone after a delete).</summary>
    public IEnumerable<int> ProcessIds => children.Select(c => c.Child.ProcessId).OfType<int>();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await Task.Delay(SwitchGrace).ConfigureAwait(false);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (fleet.InFlight > 0 && TimeProvider.System.GetTimestamp() < deadline)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        await fleet.DisposeAsync().ConfigureAwait(false);
        await LocalEndpointProvisioner.StopAsync(children.Select(c => c.Child)).ConfigureAwait(false);
    }
}
