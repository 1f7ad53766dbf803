using System.Diagnostics;
using System.Net.Http.Headers;

namespace OpenMme.Cli.Bench;

/// <summary>
/// Closed-loop load: each connection sends its next request as soon as the previous answer
/// is read. Bounded by duration and by a request cap, so every run stops by itself.
/// </summary>
internal static class ClosedLoopLoad
{
    public static async Task<LoadResult> RunAsync(Uri url, IReadOnlyList<BenchRequest> requests, Func<RequestTrace> trace, int connections,
        TimeSpan warmup, TimeSpan duration, long maxRequests, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        var measured = trace();
        if (measured.Length is null && warmup > TimeSpan.Zero)
        {
            // A finite trace (each model once) is measured cold: no warm-up may use it up.
            await RunPhaseAsync(client, url, requests, trace(), connections, warmup, maxRequests, record: false, cancellationToken).ConfigureAwait(false);
        }

        var stopwatch = Stopwatch.StartNew();
        var workers = await RunPhaseAsync(client, url, requests, measured, connections, duration, maxRequests, record: true, cancellationToken).ConfigureAwait(false);
        var seconds = stopwatch.Elapsed.TotalSeconds;

        var latencies = new List<long>();
        var statuses = new Dictionary<int, long>();
        long errors = 0, hits = 0, cacheAnswers = 0;
        foreach (var worker in workers)
        {
            latencies.AddRange(worker.Latencies);
            errors += worker.Errors;
            hits += worker.Hits;
            cacheAnswers += worker.CacheAnswers;
            foreach (var (status, count) in worker.Statuses)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + count;
            }
        }

        latencies.Sort();
        return new LoadResult(url.ToString(), connections, seconds, latencies.Count, errors, statuses, hits, cacheAnswers,
            Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99), Percentile(latencies, 0.999));
    }

    private static async Task<Worker[]> RunPhaseAsync(HttpClient client, Uri url, IReadOnlyList<BenchRequest> requests, RequestTrace trace,
        int connections, TimeSpan length, long maxRequests, bool record, CancellationToken cancellationToken)
    {
        var workers = new Worker[connections];
        var deadline = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var perWorkerCap = Math.Max(1, maxRequests / connections);
        var tasks = new Task[connections];
        for (var i = 0; i < connections; i++)
        {
            var worker = workers[i] = new Worker(i);
            tasks[i] = Task.Run(() => worker.RunAsync(client, url, requests, trace, deadline, perWorkerCap, record, cancellationToken), cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return workers;
    }

    private static double Percentile(List<long> sortedTicks, double quantile)
    {
        if (sortedTicks.Count == 0)
        {
            return 0;
        }

        var index = (int)Math.Min(sortedTicks.Count - 1, Math.Ceiling(quantile * sortedTicks.Count) - 1);
        return sortedTicks[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
    }

    private sealed class Worker(int seed)
    {
        private readonly Random _random = new(seed);

        public List<long> Latencies { get; } = new(4096);

        public Dictionary<int, long> Statuses { get; } = [];

        public long Errors { get; private set; }

        public long Hits { get; private set; }

        public long CacheAnswers { get; private set; }

        public async Task RunAsync(HttpClient client, Uri url, IReadOnlyList<BenchRequest> requests, RequestTrace trace,
            long deadline, long cap, bool record, CancellationToken cancellationToken)
        {
            var buffer = new byte[64 * 1024];
            var mediaTypes = new Dictionary<string, MediaTypeHeaderValue>();
            for (long sent = 0; sent < cap && Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested; sent++)
            {
                if (!trace.TryNext(_random, out var index))
                {
                    break;
                }

                var next = requests[index];
                if (!mediaTypes.TryGetValue(next.ContentType, out var mediaType))
                {
                    mediaTypes[next.ContentType] = mediaType = MediaTypeHeaderValue.Parse(next.ContentType);
                }

                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(next.Body) };
                request.Content.Headers.ContentType = mediaType;
                request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Target-Model", next.TargetModel);

                var started = Stopwatch.GetTimestamp();
                int status;
                string? cache = null;
                try
                {
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                    await using (var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
                    {
                        while (await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
                        {
                        }
                    }

                    status = (int)response.StatusCode;
                    if (response.Headers.TryGetValues("X-OpenMme-Cache", out var values))
                    {
                        cache = values.FirstOrDefault();
                    }
                }
                catch (HttpRequestException)
                {
                    status = 0;
                }

                if (!record)
                {
                    continue;
                }

                Latencies.Add(Stopwatch.GetTimestamp() - started);
                Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
                if (status is < 200 or >= 300)
                {
                    Errors++;
                }

                if (cache is not null)
                {
                    CacheAnswers++;
                    if (cache == "hit")
                    {
                        Hits++;
                    }
                }
            }
        }
    }
}
