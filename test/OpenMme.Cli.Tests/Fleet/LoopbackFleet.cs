using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using OpenMme.Cli.Commands;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Cli.Fleet;

/// <summary>
/// A fleet on one machine that looks like several: real <c>openmme host</c> processes, each bound
/// to its own loopback address (127.0.0.2, 127.0.0.3, ...) on one shared port as if each were a
/// machine of its own, all serving the same folder of sample models, and a real
/// <c>openmme router</c> process in front. Every process is started here and killed by its pid on
/// dispose, whatever state a test left it in (stopped with SIGSTOP included).
/// </summary>
/// <remarks>
/// The router runs as its own process rather than in the test's: the options a user types
/// (<c>--dns</c>, <c>--dns-server</c>, <c>--dns-interval</c>, <c>--health-*</c>) are exercised as
/// given, and its health checks run on a thread pool of their own, not one shared with the load
/// clients of the test, so the reaction times measured are the router's.
/// </remarks>
internal sealed class LoopbackFleet : IDisposable
{
    /// <summary>Seconds between the router's <c>/ping</c> checks of each instance.</summary>
    public const double HealthInterval = 0.2;

    /// <summary>Seconds a <c>/ping</c> may take.</summary>
    public const double HealthTimeout = 0.5;

    /// <summary>Small models: loads take about a millisecond, so a fault's effect is not hidden behind cold loads.</summary>
    private const long SampleSize = 20_000;

    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, ServeProcess> _hosts = new(StringComparer.Ordinal);
    private readonly byte[][] _requests;
    private ServeProcess? _router;
    private HttpClient? _client;

    private LoopbackFleet(int models)
    {
        SampleWriter.Write(_directory.Combine("models"), models, SampleSize);
        Samples = Enumerable.Range(0, models).Select(i => SampleModelFactory.Create(i, SampleSize)).ToArray();
        _requests = Samples.Select(SampleWriter.RequestJson).ToArray();
    }

    /// <summary>The sample models every host serves; each one's target model is its <see cref="SampleModel.Name"/>.</summary>
    public IReadOnlyList<SampleModel> Samples { get; }

    /// <summary>The port every host listens on (the first host's, chosen by the system).</summary>
    public int Port { get; private set; }

    /// <summary>What the router process printed.</summary>
    public string RouterOutput => _router?.Output ?? string.Empty;

    public static LoopbackFleet Create(int models = 20) => new(models);

    /// <summary>host:port of the host on <paramref name="address"/>, as the router names it.</summary>
    public string IdOf(string address) => string.Create(CultureInfo.InvariantCulture, $"{address}:{Port}");

    /// <summary>Starts a host on <paramref name="address"/>:<see cref="Port"/> with a cache folder of that address (kept across restarts); returns its id.</summary>
    public async Task<string> StartHostAsync(string address)
    {
        if (_hosts.ContainsKey(address))
        {
            throw new InvalidOperationException($"A host on {address} is running already.");
        }

        var host = await ServeProcess.StartAsync(_directory.Path,
            "host", "--models", "models", "--host", address, "--port", Port.ToString(CultureInfo.InvariantCulture), "--cache-dir", "cache-" + address,
            "--memory-budget", "256MB", "--disk-budget", "256MB", "--drain-delay", "0");
        _hosts[address] = host;
        if (Port == 0)
        {
            Port = host.Address.Port;
        }

        return IdOf(address);
    }

    /// <summary>Starts the router with the test's health settings and <paramref name="arguments"/>.</summary>
    public async Task StartRouterAsync(params string[] arguments)
    {
        _router = await ServeProcess.StartAsync(_directory.Path,
        [
            "router", "--port", "0",
            "--health-interval", HealthInterval.ToString(CultureInfo.InvariantCulture),
            "--health-timeout", HealthTimeout.ToString(CultureInfo.InvariantCulture),
            .. arguments,
        ]);
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = _router.Address, Timeout = TimeSpan.FromSeconds(90) };
    }

    /// <summary>The <c>--instance</c> options naming the hosts on <paramref name="addresses"/> (running or not).</summary>
    public string[] InstanceArguments(params string[] addresses) =>
        addresses.SelectMany(a => new[] { "--instance", $"http://{IdOf(a)}" }).ToArray();

    /// <summary>Ends the host on <paramref name="address"/> with SIGKILL, by its pid, as a crash would.</summary>
    public void Kill(string address)
    {
        var host = _hosts[address];
        _hosts.Remove(address);
        host.Crash();
        host.Dispose();
    }

    /// <summary>Sends SIGSTOP or SIGCONT (<paramref name="signal"/>: STOP, CONT) to the host on <paramref name="address"/>, by its pid.</summary>
    public void Signal(string address, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _hosts[address].ProcessId.ToString(CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit(10_000);
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Starts a host on each address and a router over them, and loads every sample once through it.</summary>
    public async Task StartWarmAsync(params string[] addresses)
    {
        foreach (var address in addresses)
        {
            await StartHostAsync(address);
        }

        await StartRouterAsync(InstanceArguments(addresses));
        var warm = await InvokeEachAsync();
        Assert.All(warm, a => Assert.True(a.Succeeded, a.Problem));
    }

    /// <summary>The indexes of the samples whose home is the instance <paramref name="id"/>; asserts there is one.</summary>
    public async Task<int[]> ModelsHomedOnAsync(string id)
    {
        var homes = (await PlacementAsync(Samples.Select(s => s.Name))).Homes;
        var models = Enumerable.Range(0, Samples.Count).Where(m => homes[Samples[m].Name] == id).ToArray();
        Assert.NotEmpty(models);
        return models;
    }

    /// <summary>The router's placement view, with the homes of <paramref name="models"/> too.</summary>
    public async Task<PlacementSnapshot> PlacementAsync(IEnumerable<string>? models = null, CancellationToken cancellationToken = default)
    {
        var query = string.Join("&", (models ?? []).Select(m => "model=" + Uri.EscapeDataString(m)));
        var json = await Router.GetStringAsync("/endpoints/local/placement" + (query.Length > 0 ? "?" + query : string.Empty), cancellationToken);
        return PlacementSnapshot.Parse(json);
    }

    /// <summary>
    /// Polls the placement view until <paramref name="condition"/> holds, for at most <paramref name="within"/>;
    /// returns the view and the time on <paramref name="clock"/> at which it was first seen.
    /// </summary>
    public async Task<(PlacementSnapshot View, TimeSpan At)> WaitForAsync(Func<PlacementSnapshot, bool> condition, TimeSpan within, string what, Stopwatch clock,
        IEnumerable<string>? models = null)
    {
        var deadline = clock.Elapsed + within;
        while (true)
        {
            var view = await PlacementAsync(models);
            var at = clock.Elapsed;
            if (condition(view))
            {
                return (view, at);
            }

            Assert.True(at < deadline, $"Not seen within {within.TotalSeconds} s: {what}. Router output:\n{RouterOutput}");
            await Task.Delay(20);
        }
    }

    /// <summary>The sum over all labels of the router's Prometheus counter <paramref name="name"/> (e.g. <c>openmme_router_failovers_total</c>).</summary>
    public async Task<double> RouterCounterAsync(string name)
    {
        var total = 0.0;
        foreach (var line in (await Router.GetStringAsync("/metrics")).Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ')
            {
                total += double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    /// <summary>Invokes sample <paramref name="model"/> through the router and checks the answer; never throws but for cancellation of the test.</summary>
    public async Task<FleetAnswer> InvokeAsync(int model, CancellationToken cancellationToken = default)
    {
        var sample = Samples[model];
        using var content = new ByteArrayContent(_requests[model]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/endpoints/local/invocations") { Content = content };
        request.Headers.Add("X-Amzn-SageMaker-Target-Model", sample.Name);
        var instance = string.Empty;
        var route = string.Empty;
        try
        {
            using var response = await Router.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            instance = Header(response, "X-OpenMme-Instance");
            route = Header(response, "X-OpenMme-Route");
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return new FleetAnswer((int)response.StatusCode, instance, route, FleetAnswer.Check(sample, (int)response.StatusCode, body));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return new FleetAnswer(-1, instance, route, $"no answer: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Invokes each sample of <paramref name="models"/> (default: all) once, one after another; the answers in that order.</summary>
    public async Task<FleetAnswer[]> InvokeEachAsync(IEnumerable<int>? models = null)
    {
        var answers = new List<FleetAnswer>();
        foreach (var model in models ?? Enumerable.Range(0, Samples.Count))
        {
            answers.Add(await InvokeAsync(model));
        }

        return [.. answers];
    }

    public void Dispose()
    {
        _client?.Dispose();
        _router?.Dispose();
        foreach (var host in _hosts.Values)
        {
            host.Dispose();
        }

        _hosts.Clear();
        _directory.Dispose();
    }

    private HttpClient Router => _client ?? throw new InvalidOperationException("Start the router first.");

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;
}
