using Microsoft.Extensions.Logging;

namespace OpenMme.Wire;

/// <summary>The console logging every role writes: one line per event, or JSON lines.</summary>
public static class ConsoleLogging
{
    public static void Add(ILoggingBuilder logging, bool json)
    {
        if (json)
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Yarp", LogLevel.Warning);
        // The host logs a failed start (a port in use) with its stack trace and then throws it to the
        // caller, which says it in one line; a crashed background service it logs again as critical.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // ASP.NET Core starts an Activity for every request when this category logs at any level (for
        // log scopes), and HttpClient then starts another and sends a traceparent: on the router and
        // instance that was a fifth of their CPU per request (docs/benchmarks.md). It only logs request
        // start and end (Information) and startup failures, which reach the caller anyway. A tracing
        // listener, when one is added, still gets its activities.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }
}
