using System.Collections.Concurrent;
using System.Diagnostics;

namespace OpenMme.Cli.Fleet;

/// <summary>One request of a <see cref="FleetLoad"/>: which sample, when it was sent and answered (on the test's clock), and the answer.</summary>
internal sealed record LoadRecord(int Model, TimeSpan Sent, TimeSpan Done, FleetAnswer Answer)
{
    /// <summary>What a list of records shows at a glance: count, span and rate.</summary>
    public static string Summary(IReadOnlyList<LoadRecord> records)
    {
        var span = records.Count == 0 ? TimeSpan.Zero : records.Max(r => r.Done) - records.Min(r => r.Sent);
        return $"{records.Count} requests in {span.TotalSeconds:0.0} s ({records.Count / Math.Max(span.TotalSeconds, 0.001):0} per s)";
    }

    public string Instance => Answer.Instance;

    public bool Succeeded => Answer.Succeeded;

    /// <summary>Whether the request was sent before <paramref name="at"/> and answered after it.</summary>
    public bool InFlightAt(TimeSpan at) => Sent < at && Done > at;

    public override string ToString() =>
        $"model {Model} sent {Sent.TotalMilliseconds:0} ms, done {Done.TotalMilliseconds:0} ms, {Answer.Status} from '{Instance}' ({Answer.Route}){(Succeeded ? string.Empty : ": " + Answer.Problem)}";
}

/// <summary>
/// Steady load through the router: a few clients, each invoking the fleet's sample models in a
/// seeded random order, every answer checked against the sample's reference outputs. It is
/// bounded in requests and in time and stops by itself. A request that hangs (on a frozen
/// instance) does not hold its client: after <see cref="StallAfter"/> the client goes on with the
/// next request and the hanging one is collected when the load stops.
/// </summary>
internal sealed class FleetLoad : IAsyncDisposable
{
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(1);

    private readonly LoopbackFleet _fleet;
    private readonly Stopwatch _clock;
    private readonly int _maxRequests;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentQueue<LoadRecord> _records = new();
    private readonly ConcurrentQueue<Task> _stalled = new();
    private readonly Task _clients;
    private int _started;

    private FleetLoad(LoopbackFleet fleet, Stopwatch clock, int clients, int maxRequests, TimeSpan maxDuration)
    {
        _fleet = fleet;
        _clock = clock;
        _maxRequests = maxRequests;
        _stop.CancelAfter(maxDuration);
        _clients = Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(c))));
    }

    /// <summary>Requests started so far.</summary>
    public int Started => Math.Min(Volatile.Read(ref _started), _maxRequests);

    /// <summary>Starts <paramref name="clients"/> clients; they stop after <paramref name="maxRequests"/> requests in all or <paramref name="maxDuration"/>, whichever comes first.</summary>
    public static FleetLoad Start(LoopbackFleet fleet, Stopwatch clock, int clients, int maxRequests, TimeSpan maxDuration) =>
        new(fleet, clock, clients, maxRequests, maxDuration);

    /// <summary>Waits until the answers so far satisfy <paramref name="condition"/>, for at most <paramref name="within"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<LoadRecord>, bool> condition, TimeSpan within, string what)
    {
        var deadline = _clock.Elapsed + within;
        while (!condition(_records.ToArray()))
        {
            Assert.True(_clock.Elapsed < deadline, $"Not seen within {within.TotalSeconds} s: {what} ({_records.Count} answers, {Started} requests started).");
            Assert.False(_clients.IsCompleted && _stalled.All(t => t.IsCompleted), $"The load ended before {what} ({_records.Count} answers).");
            await Task.Delay(50);
        }
    }

    /// <summary>Stops sending, waits up to <paramref name="drain"/> for the requests still out, and returns every answer by the time it was sent.</summary>
    public async Task<IReadOnlyList<LoadRecord>> StopAsync(TimeSpan drain)
    {
        await _stop.CancelAsync();
        await _clients;
        try
        {
            await Task.WhenAll(_stalled).WaitAsync(drain);
        }
        catch (TimeoutException)
        {
            // The caller compares the answers with Started and says which requests never ended.
        }

        return _records.OrderBy(r => r.Sent).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _abort.CancelAsync();
        try
        {
            // Cancelled, every request ends at once; the bound only keeps a bug here from hanging the run.
            await Task.WhenAll([_clients, .. _stalled]).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // Not thrown over the failure that brought the test here.
        }

        _stop.Dispose();
        _abort.Dispose();
    }

    private async Task ClientAsync(int client)
    {
        var random = new Random(client);
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _started) <= _maxRequests)
        {
            var request = OneAsync(random.Next(_fleet.Samples.Count));
            try
            {
                await request.WaitAsync(StallAfter, _stop.Token);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                _stalled.Enqueue(request);
            }
        }
    }

    private async Task OneAsync(int model)
    {
        var sent = _clock.Elapsed;
        var answer = await _fleet.InvokeAsync(model, _abort.Token);
        _records.Enqueue(new LoadRecord(model, sent, _clock.Elapsed, answer));
    }
}
