using System.Net;
using System.Net.Sockets;

namespace OpenMme.TestSupport;

/// <summary>
/// A TCP proxy on loopback in front of a real HTTP server. Connections whose first request is a
/// GET pass only their first bytes back and then go silent, as a store that stops sending
/// mid-body does; everything else passes through. Closes every connection on dispose.
/// </summary>
public sealed class StallingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly long _getBytesBeforeStall;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private int _stalled;

    public StallingProxy(string upstream, long getBytesBeforeStall)
    {
        _upstream = new Uri(upstream);
        _getBytesBeforeStall = getBytesBeforeStall;
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>The proxy's URL.</summary>
    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>GET responses cut short so far.</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        lock (_connections)
        {
            _connections.Add(client);
            _connections.Add(upstream);
        }

        try
        {
            await upstream.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
            var fromClient = client.GetStream();
            var toServer = upstream.GetStream();
            var first = new byte[64 * 1024];
            var read = await fromClient.ReadAsync(first, _stop.Token);
            var isGet = read >= 4 && first[0] == 'G' && first[1] == 'E' && first[2] == 'T' && first[3] == ' ';
            await toServer.WriteAsync(first.AsMemory(0, read), _stop.Token);
            var requests = PumpAsync(fromClient, toServer, long.MaxValue);
            var responses = PumpAsync(toServer, fromClient, isGet ? _getBytesBeforeStall : long.MaxValue);
            await Task.WhenAll(requests, responses);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Stream from, Stream to, long limit)
    {
        var buffer = new byte[16 * 1024];
        long passed = 0;
        while (true)
        {
            var read = await from.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            var pass = (int)Math.Min(read, limit - passed);
            await to.WriteAsync(buffer.AsMemory(0, pass), _stop.Token);
            passed += pass;
            if (passed >= limit)
            {
                Interlocked.Increment(ref _stalled);
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
        }
    }
}
