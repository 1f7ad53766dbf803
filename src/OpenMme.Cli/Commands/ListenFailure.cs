using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace OpenMme.Cli.Commands;

/// <summary>
/// Says in one line why a server could not listen (port in use, address not on this machine,
/// port not allowed), instead of the bind exception's three nested stack traces.
/// </summary>
internal static class ListenFailure
{
    public static bool TryDescribe(Exception exception, string command, string address, int port, out string message)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AddressInUseException)
            {
                message = $"openmme {command}: port {port} on {address} is already in use. Stop the program listening there, "
                    + "or choose another port with --port (0 picks a free one).";
                return true;
            }

            if (e is SocketException socket)
            {
                message = $"openmme {command}: cannot listen on {address} port {port}: {socket.Message}. Check --host and --port.";
                return true;
            }
        }

        message = string.Empty;
        return false;
    }
}
