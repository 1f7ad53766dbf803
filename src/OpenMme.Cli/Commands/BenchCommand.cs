using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenMme.Cli.Bench;

namespace OpenMme.Cli.Commands;

/// <summary>
/// <c>openmme bench</c>: closed-loop load against an endpoint with one request body, reporting
/// throughput, latency percentiles and the cache hit ratio; with <c>--baseline</c> it first
/// measures a bare Kestrel endpoint (a separate <c>openmme baseline</c> process) the same way
/// and prints the ratio.
/// </summary>
internal static partial class BenchCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Base URL of the endpoint.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var endpoint = new Option<string>("--endpoint-name") { Description = "Endpoint name.", DefaultValueFactory = _ => "local" };
        var model = new Option<string?>("--model") { Description = "Target model (with --body)." };
        var body = new Option<string?>("--body") { Description = "File with the request body (with --model)." };
        var requestsDir = new Option<string?>("--requests") { Description = "Folder of artifacts with NAME.request.json beside each (as openmme samples writes): one target per artifact." };
        var trace = new Option<string>("--trace") { Description = "Which model each request targets: once, uniform, zipf:S or file:PATH (one model per line).", DefaultValueFactory = _ => "uniform" };
        var rankByName = new Option<bool>("--zipf-by-name") { Description = "Zipf ranks follow model names (rank 1 = first name) instead of a seeded shuffle." };
        var rate = new Option<double?>("--rate") { Description = "Open loop: requests per second (default: closed loop)." };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "Open loop: outstanding requests at most.", DefaultValueFactory = _ => 1024 };
        var seed = new Option<int>("--seed") { Description = "Seed of the trace.", DefaultValueFactory = _ => 1 };
        var contentType = new Option<string>("--content-type") { DefaultValueFactory = _ => "application/json" };
        var connections = new Option<int>("--connections") { Description = "Concurrent connections.", DefaultValueFactory = _ => 16 };
        var duration = new Option<double>("--duration") { Description = "Seconds measured.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of unmeasured warm-up.", DefaultValueFactory = _ => 2 };
        var maxRequests = new Option<long>("--max-requests") { Description = "Upper bound of requests per phase.", DefaultValueFactory = _ => 5_000_000 };
        var baseline = new Option<bool>("--baseline") { Description = "Also measure a bare Kestrel endpoint in this run and print the ratio." };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file." };
        var command = new Command("bench", "Load an endpoint (closed loop) and report throughput, latency percentiles and cache hit ratio.")
        {
            url, endpoint, model, body, requestsDir, trace, rankByName, seed, rate, maxInFlight, contentType, connections, duration, warmup, maxRequests, baseline, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var requests = await LoadRequestsAsync(result.GetValue(model), result.GetValue(body), result.GetValue(requestsDir), result.GetValue(contentType)!, cancellationToken)
                .ConfigureAwait(false);
            if (requests.Count == 0)
            {
                Console.Error.WriteLine("Give --model and --body, or --requests DIR with artifacts and NAME.request.json files.");
                return 2;
            }

            var traceSpec = result.GetValue(trace)!;
            var traceSeed = result.GetValue(seed);
            var byName = result.GetValue(rankByName);
            var names = requests.Select(r => r.TargetModel).ToList();
            Func<RequestTrace> traces;
            try
            {
                RequestTrace.Parse(traceSpec, requests.Count, traceSeed, byName, names);
                traces = () => RequestTrace.Parse(traceSpec, requests.Count, traceSeed, byName, names);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("--trace " + e.Message);
                return 2;
            }

            var n = result.GetValue(connections);
            var options = new LoadOptions(n, result.GetValue(rate), TimeSpan.FromSeconds(result.GetValue(warmup)), TimeSpan.FromSeconds(result.GetValue(duration)),
                result.GetValue(maxRequests), result.GetValue(maxInFlight));
            var length = options.Duration;
            var path = $"endpoints/{Uri.EscapeDataString(result.GetValue(endpoint)!)}/invocations";
            var target = new Uri(new Uri(result.GetValue(url)!.TrimEnd('/') + "/"), path);
            var results = new List<LoadResult>();

            if (result.GetValue(baseline))
            {
                using var bare = await BaselineProcess.StartAsync(cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"Measuring bare Kestrel at {bare.Address} ({n} connections, {length.TotalSeconds:0} s)...");
                results.Add(await new LoadGenerator(new Uri(bare.Address, path), requests, options, Console.Error).RunAsync(traces, cancellationToken).ConfigureAwait(false));
            }

            Console.WriteLine($"Measuring {target} ({n} connections, {length.TotalSeconds:0} s, trace {traceSpec} over {requests.Count} models)...");
            results.Add(await new LoadGenerator(target, requests, options, Console.Error).RunAsync(traces, cancellationToken).ConfigureAwait(false));

            Console.WriteLine();
            Console.WriteLine($"{"target",-48} {"mode",-12} {"requests",9} {"req/s",9} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"p99.9 ms",9} {"errors",7} {"hit ratio",9} {"load s",8}");
            foreach (var r in results)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Target,-48} {r.Mode,-12} {r.Requests,9} {r.RequestsPerSecond,9:0} {r.P50Milliseconds,8:0.000} {r.P90Milliseconds,8:0.000} {r.P99Milliseconds,8:0.000} {r.P999Milliseconds,9:0.000} {r.Errors,7} {r.HitRatio,9:0.000} {(r.LoadSeconds is { } l ? l.ToString("0.000", CultureInfo.InvariantCulture) : "-"),8}"));
                foreach (var (code, count) in r.ErrorsByCode)
                {
                    Console.WriteLine($"    {count,9}  {code}");
                }
            }

            if (results.Count == 2 && results[0].RequestsPerSecond > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ratio to bare Kestrel: {results[1].RequestsPerSecond / results[0].RequestsPerSecond:P1}"));
            }

            if (result.GetValue(json) is { } jsonPath)
            {
                await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(results, BenchJsonContext.Default.ListLoadResult), cancellationToken).ConfigureAwait(false);
            }

            return results[^1].Errors == 0 ? 0 : 1;
        });
        return command;
    }

    private static async Task<List<BenchRequest>> LoadRequestsAsync(string? model, string? body, string? folder, string contentType, CancellationToken cancellationToken)
    {
        var requests = new List<BenchRequest>();
        if (model is not null && body is not null)
        {
            requests.Add(new BenchRequest(model, await File.ReadAllBytesAsync(body, cancellationToken).ConfigureAwait(false), contentType));
        }

        if (folder is not null)
        {
            foreach (var artifact in Directory.EnumerateFiles(folder).Where(Store.ArtifactKinds.IsArtifact).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(artifact);
                var stem = name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) ? name[..^7] : Path.GetFileNameWithoutExtension(name);
                var request = Path.Combine(folder, stem + ".request.json");
                if (File.Exists(request))
                {
                    requests.Add(new BenchRequest(name, await File.ReadAllBytesAsync(request, cancellationToken).ConfigureAwait(false), "application/json"));
                }
            }
        }

        return requests;
    }

    /// <summary>An <c>openmme baseline</c> child process, killed by its pid on dispose.</summary>
    private sealed class BaselineProcess : IDisposable
    {
        private readonly Process _process;

        private BaselineProcess(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<BaselineProcess> StartAsync(CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            var self = Environment.GetCommandLineArgs()[0];
            if (self.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                start.ArgumentList.Add(self);
            }

            start.ArgumentList.Add("baseline");
            var process = Process.Start(start)!;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
                {
                    var match = ListeningLine().Match(line);
                    if (match.Success)
                    {
                        return new BaselineProcess(process, new Uri(match.Groups[1].Value));
                    }
                }

                throw new InvalidOperationException("The baseline endpoint exited before it was listening.");
            }
            catch
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }
    }

    [GeneratedRegex("Baseline listening at (http://\\S+)")]
    private static partial Regex ListeningLine();
}
