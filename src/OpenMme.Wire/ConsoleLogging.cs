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
    }
}
