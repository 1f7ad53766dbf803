using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OpenMme.Wire.Auth;

/// <summary>Registers request signing for a role that answers SageMaker clients.</summary>
public static class RequestSigningServiceCollectionExtensions
{
    /// <summary>Adds a <see cref="SigV4Verifier"/> with <paramref name="settings"/> (verifying nothing when they turn signing off).</summary>
    public static IServiceCollection AddRequestSigning(this IServiceCollection services, RequestSigningSettings settings)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.AddSingleton(sp => new SigV4Verifier(settings, sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
