using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OpenMme.TestSupport;

/// <summary>
/// A real S3-compatible server (s3rver from test/compat's npm lockfile) on a loopback port,
/// stopped by its pid. It can be stopped and started again on the same port and data folder,
/// to play a store outage.
/// </summary>
public sealed partial class S3rverProcess : IDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly string _data;
    private readonly bool _ownsData;
    private Process? _process;

    private S3rverProcess(string data, bool ownsData)
    {
        _data = data;
        _ownsData = ownsData;
    }

    public int Port { get; private set; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public static S3rverProcess Start()
    {
        var server = new S3rverProcess(Path.Combine(Path.GetTempPath(), "openmme-s3-" + Guid.NewGuid().ToString("N")[..12]), ownsData: true);
        Directory.CreateDirectory(server._data);
        server.Run(0);
        return server;
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public void Restart() => Run(Port);

    public void Dispose()
    {
        Stop();
        if (_ownsData)
        {
            try
            {
                Directory.Delete(_data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private void Run(int port)
    {
        var script = Path.Combine(Repository.Root(), "test", "compat", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"s3rver is not installed at {script}; run `npm ci` in test/compat (test.sh does).");
        }

        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, "-d", _data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-s" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("s3rver exited: " + _process.StandardError.ReadToEnd());
            var match = Listening().Match(line);
            if (match.Success)
            {
                Port = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                return;
            }
        }

        Stop();
        throw new TimeoutException("s3rver did not start listening within 30 s.");
    }

    [GeneratedRegex("listening on 127\\.0\\.0\\.1:(\\d+)")]
    private static partial Regex Listening();
}
