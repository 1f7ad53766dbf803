using System.Globalization;
using OpenMme.Configuration;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Planning;

namespace OpenMme.Cli.Plan;

/// <summary>What <c>openmme plan</c> was asked, checked and resolved: models, requests and the grid.</summary>
internal sealed record PlanInputs(
    PlanPopulation Population,
    int[] Requests,
    string TraceName,
    IReadOnlyList<long> Memories,
    IReadOnlyList<int> InstanceCounts,
    IReadOnlyList<string> Policies,
    int PhaseLength,
    double MemoryShare,
    double TargetHitRatio,
    int MaxInstances)
{
    /// <summary>Checks and resolves the options; an <see cref="ArgumentException"/> names the one that is wrong and what would be right.</summary>
    public static PlanInputs Parse(string trace, int requests, string? folder, string populationSpec, bool rankByName, int seed, string memories, string instances,
        string policies, string memoryShare, double target, int maxInstances, int maxRequests, int? block = null)
    {
        if (block is < 1)
        {
            throw new ArgumentException($"--block {block} must be at least 1 request.");
        }

        if (requests < 1 || requests > maxRequests)
        {
            throw new ArgumentException($"--requests {requests} must be from 1 to {maxRequests:N0}.");
        }

        if (target is < 0 or >= 1)
        {
            throw new ArgumentException($"--target-hit-ratio {target} must be from 0 (no recommendation) to below 1, e.g. 0.9.");
        }

        if (maxInstances < 1)
        {
            throw new ArgumentException($"--max-instances {maxInstances} must be at least 1.");
        }

        if (!ByteSize.TryParse(memoryShare, 100, out var percent, out var shareError) || !memoryShare.TrimEnd().EndsWith('%'))
        {
            throw new ArgumentException($"--memory-share {(shareError.Length > 0 ? shareError : $"'{memoryShare}' is not a percentage, e.g. 50%.")}");
        }

        PlanPopulation population;
        int[] sequence;
        string traceName;
        var phaseLength = 0;
        try
        {
            if (trace.StartsWith("file:", StringComparison.Ordinal) && File.Exists(trace[5..]) && RequestTrace.IsAccessLog(trace[5..]))
            {
                (population, sequence) = PlanPopulation.FromAccessLog(trace[5..]);
                traceName = "access log " + trace[5..];
            }
            else
            {
                population = folder is not null ? PlanPopulation.FromFolder(folder) : PlanPopulation.FromSpec(populationSpec);
                var parsed = RequestTrace.Parse(trace, population.Models.Count, seed, rankByName, population.Names);
                sequence = parsed.Take(requests, new Random(0));
                phaseLength = parsed.PhaseLength;
                traceName = trace + (rankByName ? " by name" : string.Empty);
            }
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException((e.ParamName == "spec" && !e.Message.Contains("COUNTx", StringComparison.Ordinal) ? "--trace " : string.Empty)
                + e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--trace {trace}: {e.Message}");
        }

        if (sequence.Length == 0)
        {
            throw new ArgumentException($"--trace {trace} holds no requests.");
        }

        return new PlanInputs(population, sequence, traceName, ParseMemories(memories, population.TotalBytes), ParseCounts(instances), ParsePolicies(policies),
            block ?? phaseLength,
            percent / 100.0, target, maxInstances);
    }

    private static List<long> ParseMemories(string text, long total)
    {
        var memories = new List<long>();
        foreach (var part in Split(text))
        {
            if (!ByteSize.TryParse(part, total, out var bytes, out var error) || bytes < 1)
            {
                throw new ArgumentException($"--memory {(error.Length > 0 ? error : $"'{part}' is less than a byte")} Give shares of all models' memory (5%) or sizes (512MB).");
            }

            memories.Add(bytes);
        }

        return memories.Count > 0 ? [.. memories.Distinct().Order()] : throw new ArgumentException("--memory is empty: give e.g. 5%,10%,20%.");
    }

    private static List<int> ParseCounts(string text)
    {
        var counts = new List<int>();
        foreach (var part in Split(text))
        {
            counts.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 1024
                ? count
                : throw new ArgumentException($"--instances '{part}' is not an instance count from 1 to 1024."));
        }

        return counts.Count > 0 ? [.. counts.Distinct().Order()] : throw new ArgumentException("--instances is empty: give e.g. 1,2,4.");
    }

    private static List<string> ParsePolicies(string text)
    {
        var names = new List<string>();
        foreach (var part in Split(text))
        {
            names.Add(EvictionPolicies.IsKnown(part) ? part.ToLowerInvariant() : throw new ArgumentException($"--policies '{part}' is not a policy; use {EvictionPolicies.Names}."));
        }

        return names.Count > 0 ? [.. names.Distinct()] : throw new ArgumentException($"--policies is empty: give some of {EvictionPolicies.Names}.");
    }

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
