using OpenMme.ControlPlane;
using OpenMme.ControlPlane.Api;
using OpenMme.ControlPlane.Provisioning;
using OpenMme.ControlPlane.State;
using OpenMme.Host;
using OpenMme.Router;
using OpenMme.Wire;

namespace OpenMme.Cli.ControlPlane;

/// <summary>
/// The control plane on <c>serve</c>'s front door (its one instance, or its router): <c>POST /</c>, the
/// endpoints it creates on the runtime API, and the local provisioner behind them.
/// </summary>
internal sealed class ControlPlaneFrontDoor(ControlPlaneSettings settings, StateStore store, ModelHostSettings template, TextWriter output) : IFrontDoorExtension
{
    public void ConfigureServices(IServiceCollection services)
    {
        services.AddEndpointFleets();
        services.AddControlPlane(settings, store);
        services.AddSingleton<IEndpointProvisioner>(sp => new LocalEndpointProvisioner(template, sp.GetRequiredService<EndpointFleets>(), output));
    }

    public void Configure(WebApplication app)
    {
        app.UseEndpointFleets();
        app.MapControlPlane();
    }
}
