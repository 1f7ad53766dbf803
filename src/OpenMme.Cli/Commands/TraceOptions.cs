using System.CommandLine;
using OpenMme.Planning;

namespace OpenMme.Cli.Commands;

/// <summary>The options that choose a trace, shared by <c>bench</c> and <c>plan</c> so that both read the same trace the same way.</summary>
internal static class TraceOptions
{
    public static Option<string> Trace(string defaultTrace) => new("--trace")
    {
        HelpName = "trace",
        Description = $"Which model each request targets: {RequestTrace.Forms} (one model per line, or an access log from serve --access-log).",
        DefaultValueFactory = _ => defaultTrace,
    };

    public static Option<bool> RankByName() => new("--zipf-by-name") { Description = "Zipf ranks follow model names (rank 1 = first name) instead of a seeded shuffle." };

    public static Option<int> Seed() => new("--seed") { Description = "Seed of the trace's shuffles.", DefaultValueFactory = _ => 1, CustomParser = OptionParsers.Int };
}
