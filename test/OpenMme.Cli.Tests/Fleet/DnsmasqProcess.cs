using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;

namespace OpenMme.Cli.Fleet;

/// <summary>
/// A real DNS server: Debian's dnsmasq in the foreground on a free loopback port, answering one
/// name with an A record per address and nothing else (no upstream, no /etc/hosts). Restarting it
/// with other addresses is how a headless Service's records change. Killed by its pid on dispose.
/// </summary>
internal sealed class DnsmasqProcess : IDisposable
{
    private readonly string _name;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private DnsmasqProcess(string name, int port)
    {
        _name = name;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server as <c>--dns-server</c> takes it.</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>Starts dnsmasq answering <paramref name="name"/> with <paramref name="addresses"/>, once it answers so.</summary>
    public static async Task<DnsmasqProcess> StartAsync(string name, params string[] addresses)
    {
        var server = new DnsmasqProcess(name, FreeUdpAndTcpPort());
        try
        {
            await server.RunAsync(addresses);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>Stops the server and starts it again on its port, answering with <paramref name="addresses"/>.</summary>
    public Task RestartAsync(params string[] addresses)
    {
        Stop();
        return RunAsync(addresses);
    }

    public void Dispose() => Stop();

    private void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task RunAsync(string[] addresses)
    {
        var start = new ProcessStartInfo(Binary()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--keep-in-foreground", $"--port={Port}", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
            "--pid-file=", "--log-facility=-"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var address in addresses)
        {
            start.ArgumentList.Add($"--host-record={_name},{address}");
        }

        var process = Process.Start(start)!;
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ready when it answers the name with every address.
        var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port)) { UseCache = false, Timeout = TimeSpan.FromMilliseconds(500), Retries = 0 });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            Assert.False(process.HasExited, $"dnsmasq exited with code {(process.HasExited ? process.ExitCode : 0)}: {Log}");
            try
            {
                var answer = await client.QueryAsync(_name, QueryType.A);
                var found = answer.Answers.ARecords().Select(a => a.Address.ToString()).Order(StringComparer.Ordinal);
                if (found.SequenceEqual(addresses.Order(StringComparer.Ordinal)))
                {
                    return;
                }
            }
            catch (Exception e) when (e is DnsResponseException or SocketException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"dnsmasq did not answer {_name} with {string.Join(", ", addresses)} within 20 s: {Log}");
            await Task.Delay(50);
        }
    }

    private string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static string Binary()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/sbin"))
        {
            var path = Path.Combine(folder, "dnsmasq");
            if (folder.Length > 0 && File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException("dnsmasq is not installed: apt-get install dnsmasq-base (test.sh installs it when missing).");
    }

    /// <summary>A loopback port free for both UDP and TCP, as dnsmasq listens on both.</summary>
    private static int FreeUdpAndTcpPort()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
                // Taken for TCP: another one.
            }
        }
    }
}
