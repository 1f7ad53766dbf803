using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace OpenMme.Wire;

/// <summary>
/// What a front door (the one instance of <c>serve</c>, or a router) lets a composing role add:
/// services, and middleware and routes that run before the front door's own routes. The control
/// plane joins <c>serve</c> through it, whichever front door <c>serve</c> runs, without the host or
/// the router knowing of it.
/// </summary>
public interface IFrontDoorExtension
{
    /// <summary>Adds services before the application is built.</summary>
    void ConfigureServices(IServiceCollection services);

    /// <summary>Adds middleware and routes to the built application.</summary>
    void Configure(WebApplication app);
}
