using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenMme.Cli.Bench;
using OpenMme.Planning;

namespace OpenMme.Cli.Commands;

/// <summary>
/// <c>openmme bench</c>: closed-loop or open-loop load against an endpoint, reporting
/// throughput, latency percentiles and the cache hit ratio; with <c>--baseline</c> it first
/// measures a bare Kestrel endpoint (a separate <c>openmme baseline</c> process) the same way
/// and prints the ratio.
/// </summary>
internal static class BenchCommand
{
    /// <summary>What the table calls the baseline.</summary>
    public const string BaselineName = "bare Kestrel";

    public static Command Create()
    {
        var url = new Option<string>("--url") { HelpName = "url", Description = "Base URL of the endpoint.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var endpoint = new Option<string>("--endpoint-name") { HelpName = "name", Description = "Endpoint name.", DefaultValueFactory = _ => "local" };
        var model = new Option<string?>("--model") { HelpName = "key", Description = "Target model (with --body)." };
        var body = new Option<string?>("--body") { HelpName = "file", Description = "File with the request body (with --model)." };
        var contentType = new Option<string>("--content-type")
        {
            HelpName = "type",
            Description = "Content type of the --body file (bodies from --requests are JSON).",
            DefaultValueFactory = _ => "application/json",
        };
        var requestsDir = new Option<string?>("--requests")
        {
            HelpName = "folder",
            Description = "Folder of artifacts with NAME.request.json beside each (as openmme samples writes): one target per artifact.",
        };
        var trace = TraceOptions.Trace("uniform");
        var rankByName = TraceOptions.RankByName();
        var rate = new Option<double?>("--rate") { HelpName = "per-second", Description = "Open loop: requests per second (default: closed loop).", CustomParser = OptionParsers.OptionalDouble };
        var maxInFlight = new Option<int>("--max-in-flight")
        {
            HelpName = "count",
            Description = "Open loop: outstanding requests at most.",
            DefaultValueFactory = _ => 1024,
            CustomParser = OptionParsers.Int,
        };
        var seed = TraceOptions.Seed();
        var connections = new Option<int>("--connections") { HelpName = "count", Description = "Concurrent connections.", DefaultValueFactory = _ => 16, CustomParser = OptionParsers.Int };
        var duration = new Option<double>("--duration") { HelpName = "seconds", Description = "Seconds measured.", DefaultValueFactory = _ => 10, CustomParser = OptionParsers.Double };
        var warmup = new Option<double>("--warmup") { HelpName = "seconds", Description = "Seconds of unmeasured warm-up.", DefaultValueFactory = _ => 2, CustomParser = OptionParsers.Double };
        var maxRequests = new Option<long>("--max-requests")
        {
            HelpName = "count",
            Description = "Upper bound of requests per phase.",
            DefaultValueFactory = _ => 5_000_000,
            CustomParser = OptionParsers.Long,
        };
        var baseline = new Option<bool>("--baseline") { Description = "Also measure a bare Kestrel endpoint in this run and print the ratio." };
        var json = new Option<string?>("--json") { HelpName = "file", Description = "Write the results as JSON to this file." };
        var command = new Command("bench",
            "Load an endpoint, closed loop or open loop at a fixed --rate, and report throughput, latency percentiles, errors and cache hit ratio.")
        {
            url, endpoint, model, body, contentType, requestsDir, trace, rankByName, seed, rate, maxInFlight, connections, duration, warmup, maxRequests, baseline, json,
        };
        var signing = new ClientSigningOptions();
        signing.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            var (valid, signer) = await signing.BuildAsync(result, errors).ConfigureAwait(false);
            if (!valid)
            {
                return 2;
            }

            var options = new LoadOptions(result.GetValue(connections), result.GetValue(rate), TimeSpan.FromSeconds(result.GetValue(warmup)),
                TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(maxRequests), result.GetValue(maxInFlight), signer);
            if (Problem(options) is { } problem)
            {
                await errors.WriteLineAsync(problem).ConfigureAwait(false);
                return 2;
            }

            var requests = await LoadRequestsAsync(result.GetValue(model), result.GetValue(body), result.GetValue(requestsDir), result.GetValue(contentType)!, cancellationToken)
                .ConfigureAwait(false);
            if (requests.Count == 0)
            {
                await errors.WriteLineAsync("Give --model and --body, or --requests DIR with artifacts and NAME.request.json files.").ConfigureAwait(false);
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
                await errors.WriteLineAsync("--trace " + e.Message).ConfigureAwait(false);
                return 2;
            }

            var baseUrl = result.GetValue(url)!.TrimEnd('/');
            var path = $"endpoints/{Uri.EscapeDataString(result.GetValue(endpoint)!)}/invocations";
            var target = new Uri(new Uri(baseUrl + "/"), path);
            var shape = string.Create(CultureInfo.InvariantCulture,
                $"{(options.Rate is { } r ? $"open loop at {r:0.#}/s" : "closed loop")}, {options.Connections} connections, {options.Duration.TotalSeconds:0.#} s");
            var results = new List<LoadResult>();
            if (result.GetValue(baseline))
            {
                BaselineProcess bare;
                try
                {
                    bare = await BaselineProcess.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException e)
                {
                    await errors.WriteLineAsync("openmme bench --baseline: " + e.Message).ConfigureAwait(false);
                    return 1;
                }

                using (bare)
                {
                    await output.WriteLineAsync($"Measuring {BaselineName} at {bare.Address} ({shape})...").ConfigureAwait(false);
                    results.Add(await new LoadGenerator(BaselineName, new Uri(bare.Address, path), requests, options, errors).RunAsync(traces, cancellationToken)
                        .ConfigureAwait(false));
                }
            }

            await output.WriteLineAsync($"Measuring {target} ({shape}, trace {traceSpec} over {requests.Count} models)...").ConfigureAwait(false);
            results.Add(await new LoadGenerator(baseUrl, target, requests, options, errors).RunAsync(traces, cancellationToken).ConfigureAwait(false));

            await output.WriteLineAsync().ConfigureAwait(false);
            ConsoleTables.Write(output, ResultTable.Create(results));
            if (ResultTable.ByInstance(results) is { } instanceTable)
            {
                await output.WriteLineAsync().ConfigureAwait(false);
                ConsoleTables.Write(output, instanceTable);
            }

            if (ResultTable.ErrorsByCode(results) is { } errorTable)
            {
                await output.WriteLineAsync().ConfigureAwait(false);
                ConsoleTables.Write(output, errorTable);
            }

            if (results.Count == 2 && results[0].RequestsPerSecond > 0)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"ratio to {BaselineName}: {results[1].RequestsPerSecond / results[0].RequestsPerSecond:P1}")).ConfigureAwait(false);
            }

            if (result.GetValue(json) is { } jsonPath)
            {
                await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(results, BenchJsonContext.Default.ListLoadResult), cancellationToken).ConfigureAwait(false);
            }

            return results[^1].Errors == 0 ? 0 : 1;
        });
        return command;
    }

    private static string? Problem(LoadOptions options) =>
        options.Connections < 1 ? $"--connections {options.Connections} must be at least 1."
        : options.Rate is <= 0 ? $"--rate {options.Rate} must be more than 0 requests per second (leave it out for a closed loop)."
        : options.MaxInFlight < 1 ? $"--max-in-flight {options.MaxInFlight} must be at least 1."
        : options.Duration <= TimeSpan.Zero ? "--duration must be more than 0 seconds."
        : options.Warmup < TimeSpan.Zero ? "--warmup must be 0 seconds or more."
        : options.MaxRequests < 1 ? $"--max-requests {options.MaxRequests} must be at least 1."
        : null;

    private static async Task<List<BenchRequest>> LoadRequestsAsync(string? model, string? body, string? folder, string contentType, CancellationToken cancellationToken)
    {
        var requests = new List<BenchRequest>();
        if (model is not null && body is not null)
        {
            requests.Add(new BenchRequest(model, await File.ReadAllBytesAsync(body, cancellationToken).ConfigureAwait(false), contentType));
        }

        if (folder is not null)
        {
            foreach (var (name, _, request) in SampleArtifacts.In(folder))
            {
                requests.Add(new BenchRequest(name, await File.ReadAllBytesAsync(request, cancellationToken).ConfigureAwait(false), "application/json"));
            }
        }

        return requests;
    }
}
