using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenMme.ControlPlane.Api;
using OpenMme.ControlPlane.Auth;
using OpenMme.ControlPlane.Provisioning;
using OpenMme.ControlPlane.State;
using OpenMme.Wire.Auth;

namespace OpenMme.ControlPlane;

/// <summary>Composition of the control plane.</summary>
internal static class ControlPlaneServiceCollectionExtensions
{
    /// <summary>
    /// The operations, the deployer (a hosted service: it brings endpoints back on start and stops them on
    /// shutdown) and the state in <paramref name="store"/>, opened by the caller so a bad state folder is
    /// reported before anything listens. The caller registers the <see cref="IEndpointProvisioner"/>; the front door
    /// registers the <see cref="SigV4Verifier"/> whose keys the control plane verifies with, as its runtime API does.
    /// </summary>
    public static IServiceCollection AddControlPlane(this IServiceCollection services, ControlPlaneSettings settings, StateStore store)
    {
        services.AddSingleton(settings);
        services.AddSingleton(store);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IRequestVerifier>(sp => new SigV4RequestVerifier(sp.GetRequiredService<SigV4Verifier>()));
        services.AddSingleton<Arns>();
        services.AddSingleton<ModelOperations>();
        services.AddSingleton<EndpointConfigOperations>();
        services.AddSingleton<EndpointOperations>();
        services.AddSingleton<EndpointDeployer>();
        services.AddHostedService(sp => sp.GetRequiredService<EndpointDeployer>());
        return services;
    }
}
