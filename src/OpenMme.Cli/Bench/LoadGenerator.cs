using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using OpenMme.Planning;
using OpenMme.Wire.Auth;

namespace OpenMme.Cli.Bench;

/// <summary>
/// Sends a trace of requests to an endpoint, closed loop (each connection sends its next
/// request when the previous answer is read) or open loop (requests start at a fixed rate
/// whatever the answers; latency counts from the scheduled start, so a slow server cannot hide
/// its queueing). Every run is bounded by duration and request count and stops by itself.
/// Progress goes to <paramref name="progress"/> every second and once more when a phase ends.
/// </summary>
/// <param name="name">What the results call the endpoint.</param>
/// <param name="url">The invocation URL.</param>
/// <param name="requests">The kinds of request, one per target model.</param>
/// <param name="options">How to load.</param>
/// <param name="progress">Where progress lines go (standard error).</param>
internal sealed class LoadGenerator(string name, Uri url, IReadOnlyList<BenchRequest> requests, LoadOptions options, TextWriter progress)
{
    private readonly Dictionary<string, MediaTypeHeaderValue> _mediaTypes = requests.Select(r => r.ContentType).Distinct()
        .ToDictionary(t => t, MediaTypeHeaderValue.Parse);

    public async Task<LoadResult> RunAsync(Func<RequestTrace> traces, CancellationToken cancellationToken)
    {
        HttpMessageHandler handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        };
        if (options.Signer is { } signer)
        {
            handler = SigV4Signer.Handler(signer, TimeProvider.System, handler);
        }

        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(400) };
        var trace = traces();
        if (trace.Length is null && options.Warmup > TimeSpan.Zero)
        {
            // A finite trace (each model once, a replay) is measured from cold: no warm-up may use it up.
            await RunPhaseAsync(client, traces(), options.Warmup, new LoadRecorder(), "warm-up", cancellationToken).ConfigureAwait(false);
        }

        var loadBefore = await MetricsScrape.LoadSecondsAsync(client, url, cancellationToken).ConfigureAwait(false);
        var recorder = new LoadRecorder();
        var stopwatch = Stopwatch.StartNew();
        await RunPhaseAsync(client, trace, options.Duration, recorder, "measured", cancellationToken).ConfigureAwait(false);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var loadAfter = await MetricsScrape.LoadSecondsAsync(client, url, cancellationToken).ConfigureAwait(false);
        var mode = options.Rate is { } rate ? string.Create(CultureInfo.InvariantCulture, $"open {rate:0.#}/s") : "closed";
        return recorder.Result(name, url.ToString(), mode, options.Connections, seconds, loadAfter is null ? null : loadAfter - (loadBefore ?? 0));
    }

    private async Task RunPhaseAsync(HttpClient client, RequestTrace trace, TimeSpan length, LoadRecorder recorder, string phase, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var reporter = ReportAsync(phase, recorder, started, stop.Token);
        try
        {
            if (options.Rate is { } rate)
            {
                await OpenLoopAsync(client, trace, rate, deadline, recorder, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var perConnection = Math.Max(1, options.MaxRequests / options.Connections);
                var loops = new Task[options.Connections];
                for (var i = 0; i < loops.Length; i++)
                {
                    var random = new Random(i);
                    loops[i] = Task.Run(() => ClosedLoopAsync(client, trace, random, deadline, perConnection, recorder, cancellationToken), cancellationToken);
                }

                await Task.WhenAll(loops).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reporter.ConfigureAwait(false);
        }

        // The ticks stop short of the end; this line counts every request of the phase.
        await progress.WriteLineAsync(ProgressLine(phase, Stopwatch.GetElapsedTime(started), recorder, "done")).ConfigureAwait(false);
    }

    private async Task ClosedLoopAsync(HttpClient client, RequestTrace trace, Random random, long deadline, long cap, LoadRecorder recorder, CancellationToken cancellationToken)
    {
        for (long sent = 0; sent < cap && Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested; sent++)
        {
            if (!trace.TryNext(random, out var index))
            {
                return;
            }

            await SendAsync(client, requests[index], Stopwatch.GetTimestamp(), recorder, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task OpenLoopAsync(HttpClient client, RequestTrace trace, double rate, long deadline, LoadRecorder recorder, CancellationToken cancellationToken)
    {
        var random = new Random(0);
        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var inFlight = 0;
        var pending = new List<Task>();
        for (long i = 0; i < options.MaxRequests && !cancellationToken.IsCancellationRequested; i++)
        {
            var scheduled = start + (long)(i * interval);
            if (scheduled >= deadline || !trace.TryNext(random, out var index))
            {
                break;
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            if (Volatile.Read(ref inFlight) >= options.MaxInFlight)
            {
                recorder.Dropped();
                continue;
            }

            Interlocked.Increment(ref inFlight);
            pending.Add(SendTrackedAsync(client, requests[index], scheduled, recorder, () => Interlocked.Decrement(ref inFlight), cancellationToken));
            if (pending.Count > 4096)
            {
                pending.RemoveAll(static t => t.IsCompleted);
            }
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private async Task SendTrackedAsync(HttpClient client, BenchRequest next, long scheduled, LoadRecorder recorder, Action done, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(client, next, scheduled, recorder, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            done();
        }
    }

    private async Task SendAsync(HttpClient client, BenchRequest next, long started, LoadRecorder recorder, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(next.Body) };
        request.Content.Headers.ContentType = _mediaTypes[next.ContentType];
        request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Target-Model", next.TargetModel);
        int status;
        string? errorType = null;
        string? cache = null;
        string? instance = null;
        string? route = null;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (response.Headers.TryGetValues("X-OpenMme-Cache", out var caches))
            {
                cache = caches.FirstOrDefault();
            }

            if (response.Headers.TryGetValues("X-OpenMme-Instance", out var instances))
            {
                instance = instances.FirstOrDefault();
                route = response.Headers.TryGetValues("X-OpenMme-Route", out var routes) ? routes.FirstOrDefault() : null;
            }

            if (response.Headers.TryGetValues("x-amzn-ErrorType", out var types))
            {
                errorType = types.FirstOrDefault();
            }
        }
        catch (HttpRequestException e)
        {
            status = 0;
            errorType = "connection error: " + (e.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            status = 0;
            errorType = "client timeout";
        }

        recorder.Record(Stopwatch.GetTimestamp() - started, status, errorType, cache, instance, route);
    }

    private async Task ReportAsync(string phase, LoadRecorder recorder, long started, CancellationToken cancellationToken)
    {
        long last = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var completed = recorder.Completed;
                var rate = string.Create(CultureInfo.InvariantCulture, $"{completed - last} req/s");
                await progress.WriteLineAsync(ProgressLine(phase, Stopwatch.GetElapsedTime(started), recorder, rate)).ConfigureAwait(false);
                last = completed;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string ProgressLine(string phase, TimeSpan elapsed, LoadRecorder recorder, string tail) => string.Create(CultureInfo.InvariantCulture,
        $"  {phase,-8} {elapsed.TotalSeconds,6:0.0} s  {recorder.Completed,9} requests  {recorder.ErrorCount,6} errors  {tail}");
}
