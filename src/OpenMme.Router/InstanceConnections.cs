using System.Net;

namespace OpenMme.Router;

/// <summary>The router's HTTP clients towards its instances, alike for the built-in fleet and created endpoints' fleets.</summary>
public static class InstanceConnections
{
    /// <summary>The forwarder's connection pool, as YARP recommends: no proxy, no redirects, no decompression, no cookies.</summary>
    public static HttpMessageInvoker CreateForwarderInvoker() => new(new HeldBody.Handler(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    }));

    /// <summary>The client of health checks and model lists.</summary>
    public static HttpClient CreateMonitorClient() =>
        new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(30) };
}
