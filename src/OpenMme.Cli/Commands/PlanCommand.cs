using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenMme.Cli.Plan;
using OpenMme.Configuration;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Planning;

namespace OpenMme.Cli.Commands;

/// <summary>
/// <c>openmme plan</c>: capacity planning. Replays a trace through the memory tier's decisions for a
/// grid of memory sizes, instance counts and eviction policies, beside the online and offline
/// optimum on the same requests; prints a table, writes a chart, and recommends an instance type
/// and count for a target hit ratio.
/// </summary>
internal static class PlanCommand
{
    private const int MaxRequests = 100_000_000;

    public static Command Create()
    {
        var trace = TraceOptions.Trace("zipf:1.0");
        var requestCount = new Option<int>("--requests")
        {
            HelpName = "count",
            Description = "Requests to replay (a file trace replays all of its own).",
            DefaultValueFactory = _ => 1_000_000,
            CustomParser = OptionParsers.Int,
        };
        var modelsDir = new Option<string?>("--models") { HelpName = "folder", Description = "A sample folder: its models and their sizes, numbered as bench --requests numbers them." };
        var population = new Option<string>("--population")
        {
            HelpName = "spec",
            Description = "Models to plan for when no folder is given: COUNTxSIZE[,COUNTxSIZE...], e.g. 1000x100KB or 4x20MB,60x200KB.",
            DefaultValueFactory = _ => "1000x100KB",
        };
        var rankByName = TraceOptions.RankByName();
        var seed = TraceOptions.Seed();
        var memory = new Option<string>("--memory")
        {
            HelpName = "sizes",
            Description = "Memory per instance to try: shares of all models' memory (5%) or sizes (512MB), comma-separated.",
            DefaultValueFactory = _ => "5%,10%,20%",
        };
        var instances = new Option<string>("--instances") { HelpName = "counts", Description = "Instance counts to try, comma-separated.", DefaultValueFactory = _ => "1" };
        var policies = new Option<string>("--policies")
        {
            HelpName = "names",
            Description = $"Eviction policies to compare, comma-separated ({EvictionPolicies.Names}).",
            DefaultValueFactory = _ => EvictionPolicies.Names.Replace(" ", string.Empty, StringComparison.Ordinal),
        };
        var engine = new Option<string>("--engine")
        {
            Description = "core: the memory tier's decision core, millions of requests per second; cache: real memory tiers with a simulated store and runtime (slow, models under 8 MB).",
            DefaultValueFactory = _ => "core",
        };
        engine.AcceptOnlyFromAmong("core", "cache");
        var chart = new Option<string?>("--chart") { HelpName = "file", Description = "Where to write the chart of hit ratio against memory (SVG).", DefaultValueFactory = _ => "plan.svg" };
        var json = new Option<string?>("--json") { HelpName = "file", Description = "Write the results as JSON to this file." };
        var target = new Option<double>("--target-hit-ratio")
        {
            HelpName = "ratio",
            Description = "Recommend the instance type and count that reach this hit ratio (0 to skip).",
            DefaultValueFactory = _ => 0.9,
            CustomParser = OptionParsers.Double,
        };
        var types = new Option<string>("--instance-types") { Description = "Instance types to recommend from: cpu, gpu or all.", DefaultValueFactory = _ => "cpu" };
        types.AcceptOnlyFromAmong("cpu", "gpu", "all");
        var maxInstances = new Option<int>("--max-instances") { HelpName = "count", Description = "Recommend at most this many instances.", DefaultValueFactory = _ => 8, CustomParser = OptionParsers.Int };
        var share = new Option<string>("--memory-share")
        {
            HelpName = "percent",
            Description = "Share of an instance's memory its models may use (serve's --memory-budget default).",
            DefaultValueFactory = _ => "50%",
        };
        var block = new Option<int?>("--block")
        {
            HelpName = "requests",
            Description = "Compare each policy with lru block by block, this many requests each (default: a shifting trace's phase).",
            CustomParser = OptionParsers.OptionalInt,
        };
        var command = new Command("plan",
            "Replay a trace through the memory tier's eviction and accounting for a grid of memory sizes, instance counts and policies, against the online and offline optimum; chart it and recommend instances.")
        {
            trace, requestCount, modelsDir, population, rankByName, seed, memory, instances, policies, engine, chart, json, target, types, maxInstances, share, block,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            PlanInputs inputs;
            try
            {
                inputs = PlanInputs.Parse(result.GetValue(trace)!, result.GetValue(requestCount), result.GetValue(modelsDir), result.GetValue(population)!,
                    result.GetValue(rankByName), result.GetValue(seed), result.GetValue(memory)!, result.GetValue(instances)!, result.GetValue(policies)!,
                    result.GetValue(share)!, result.GetValue(target), result.GetValue(maxInstances), MaxRequests, result.GetValue(block));
            }
            catch (ArgumentException e)
            {
                await errors.WriteLineAsync(e.Message).ConfigureAwait(false);
                return OpenMmeCommand.UsageError;
            }

            var fullCache = result.GetValue(engine) == "cache";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Planning {inputs.Requests.Length:N0} requests ({inputs.TraceName}) over {inputs.Population.Description}, {ByteSize.Format(inputs.Population.TotalBytes)} of memory in all; engine {result.GetValue(engine)}."))
                .ConfigureAwait(false);
            List<PlanRow> rows;
            try
            {
                rows = await Planner.RunAsync(inputs.Population, inputs.Requests, inputs.Memories, inputs.InstanceCounts, inputs.Policies, fullCache, inputs.PhaseLength,
                    errors, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                await errors.WriteLineAsync(e.Message).ConfigureAwait(false);
                return OpenMmeCommand.UsageError;
            }

            await output.WriteLineAsync().ConfigureAwait(false);
            ConsoleTables.Write(output, PlanTable.Create(rows, inputs.PhaseLength > 0));
            if (result.GetValue(chart) is { Length: > 0 } chartPath)
            {
                await File.WriteAllTextAsync(chartPath, HitRatioChart.Svg(rows, $"Hit ratio, {inputs.TraceName}, {inputs.Population.Description}"), cancellationToken)
                    .ConfigureAwait(false);
                await output.WriteLineAsync($"Chart: {Path.GetFullPath(chartPath)}").ConfigureAwait(false);
            }

            InstanceChoice? choice = null;
            if (inputs.TargetHitRatio > 0)
            {
                choice = await RecommendAsync(inputs, result.GetValue(types)!, output, errors).ConfigureAwait(false);
            }

            if (result.GetValue(json) is { } jsonPath)
            {
                await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(PlanReport.Create(inputs, rows, choice), PlanJsonContext.Default.PlanReport), cancellationToken)
                    .ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static async Task<InstanceChoice?> RecommendAsync(PlanInputs inputs, string types, TextWriter output, TextWriter errors)
    {
        var profiles = types switch
        {
            "gpu" => InstanceProfiles.Gpu,
            "all" => InstanceProfiles.All,
            _ => InstanceProfiles.Cpu,
        };
        var policy = inputs.Policies.Contains(EvictionPolicies.Default, StringComparer.OrdinalIgnoreCase) ? EvictionPolicies.Default : inputs.Policies[0];
        await errors.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Looking for the least memory that reaches a hit ratio of {inputs.TargetHitRatio:0.###} with {policy} ({types} types, up to {inputs.MaxInstances} instances):")).ConfigureAwait(false);
        var (choice, tried) = Recommender.Recommend(inputs.Population.Models, inputs.Requests, policy, inputs.TargetHitRatio, profiles, inputs.MaxInstances,
            inputs.MemoryShare, c => errors.WriteLine(Describe(c)));
        await output.WriteLineAsync().ConfigureAwait(false);
        if (choice is null)
        {
            var largest = tried.MaxBy(c => c.TotalMemoryGiB)!;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"No {types} type up to {inputs.MaxInstances} instances reaches a hit ratio of {inputs.TargetHitRatio:0.###} on this trace; the most memory tried, {Describe(largest).Trim()}."))
                .ConfigureAwait(false);
            return null;
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Recommended for a hit ratio of {inputs.TargetHitRatio:0.###} with {policy}: {choice.Count} x {choice.Profile.Name} ({choice.Profile.VCpus} vCPU, {choice.Profile.MemoryGiB:0.##} GiB each, {ByteSize.Format(choice.ModelBytesPerInstance)} of it for models): "
            + $"hit ratio {choice.Result.HitRatio:0.000}, {choice.Result.LoadSeconds:0.0} s of loading on this trace. Chosen for the least memory in all, then the fewest vCPUs; "
            + $"{tried.Count} candidates replayed.")).ConfigureAwait(false);
        return choice;
    }

    private static string Describe(InstanceChoice c) => string.Create(CultureInfo.InvariantCulture,
        $"  {c.Count} x {c.Profile.Name} ({c.TotalMemoryGiB:0.##} GiB, {c.TotalVCpus} vCPU in all): hit ratio {c.Result.HitRatio:0.000}");
}
