namespace OpenMme.Router;

/// <summary>Puts <see cref="EndpointFleets"/> in front of any front door: a router, or the one instance of <c>serve</c>.</summary>
public static class EndpointFleetsExtensions
{
    private const string Prefix = "/endpoints/";
    private const string Suffix = "/invocations";

    /// <summary>Registers the registry and YARP's forwarder it uses.</summary>
    public static IServiceCollection AddEndpointFleets(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.AddSingleton<EndpointFleets>();
        return services;
    }

    /// <summary>
    /// <c>POST /endpoints/{name}/invocations</c> for a published endpoint goes to its fleet; every other
    /// request goes on to the front door's own routes, so the endpoint the front door serves itself (and its
    /// "not found" answer for names nobody serves) stays as it was.
    /// </summary>
    public static IApplicationBuilder UseEndpointFleets(this IApplicationBuilder app)
    {
        var fleets = app.ApplicationServices.GetRequiredService<EndpointFleets>();
        return app.Use((context, next) =>
            TryName(context.Request, out var name) && fleets.TryGet(name, out var fleet) ? fleet.InvokeAsync(context) : next(context));
    }

    private static bool TryName(HttpRequest request, out ReadOnlySpan<char> name)
    {
        name = default;
        var path = request.Path.Value;
        if (!HttpMethods.IsPost(request.Method) || path is null || !path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            || !path.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) || path.Length <= Prefix.Length + Suffix.Length)
        {
            return false;
        }

        name = path.AsSpan(Prefix.Length, path.Length - Prefix.Length - Suffix.Length);
        return !name.Contains('/');
    }
}
