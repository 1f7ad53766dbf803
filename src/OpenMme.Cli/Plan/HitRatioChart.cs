using System.Globalization;
using System.Security;
using System.Text;

namespace OpenMme.Cli.Plan;

/// <summary>
/// An SVG line chart of hit ratio against memory per instance: one line per policy (and per
/// instance count when there are several), the two bounds dashed. Plain SVG 1.1, readable in any
/// browser and in GitHub's Markdown.
/// </summary>
internal static class HitRatioChart
{
    private const int Width = 760;
    private const int Height = 440;
    private const int Left = 64;
    private const int Right = 200;
    private const int Top = 40;
    private const int Bottom = 56;

    private static readonly Dictionary<string, string> Colors = new(StringComparer.Ordinal)
    {
        ["lru"] = "#7f7f7f",
        ["gdsf"] = "#ff7f0e",
        ["tinylfu"] = "#1f77b4",
        [Planner.OnlineOptimum] = "#2ca02c",
        [Planner.Belady] = "#000000",
        [Planner.BeladySize] = "#000000",
    };

    public static string Svg(IReadOnlyList<PlanRow> rows, string title)
    {
        var memories = rows.Select(r => r.MemoryPerInstance).Distinct().Order().ToList();
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(long memory) => memories.Count == 1 ? Left + (plotWidth / 2.0) : Left + (plotWidth * memories.IndexOf(memory) / (double)(memories.Count - 1));
        double Y(double ratio) => Top + (plotHeight * (1 - ratio));

        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        Append(svg, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        Append(svg, $"<text x=\"{Left}\" y=\"22\" font-size=\"14\">{Escape(title)}</text>");
        for (var tick = 0; tick <= 10; tick += 2)
        {
            var y = Y(tick / 10.0);
            Append(svg, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#e0e0e0\"/>");
            Append(svg, $"<text x=\"{Left - 8}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{tick / 10.0:0.0}</text>");
        }

        foreach (var memory in memories)
        {
            Append(svg, $"<text x=\"{X(memory):0.#}\" y=\"{Top + plotHeight + 18}\" text-anchor=\"middle\">{Escape(PlanTable.Memory(memory))}</text>");
        }

        Append(svg, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 14}\" text-anchor=\"middle\">memory per instance</text>");
        Append(svg, $"<text transform=\"translate(16 {Top + (plotHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">hit ratio</text>");
        Append(svg, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#404040\"/>");

        var several = rows.Select(r => r.Instances).Distinct().Count() > 1;
        var legend = 0;
        foreach (var series in rows.GroupBy(r => (r.Policy, r.Instances)))
        {
            var color = Colors.GetValueOrDefault(series.Key.Policy, "#9467bd");
            var dash = series.First().IsBound ? " stroke-dasharray=\"6 4\"" : string.Empty;
            var points = string.Join(' ', series.OrderBy(r => r.MemoryPerInstance).Select(r => Invariant($"{X(r.MemoryPerInstance):0.#},{Y(r.Result.HitRatio):0.#}")));
            Append(svg, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>");
            foreach (var row in series)
            {
                Append(svg, $"<circle cx=\"{X(row.MemoryPerInstance):0.#}\" cy=\"{Y(row.Result.HitRatio):0.#}\" r=\"3\" fill=\"{color}\"/>");
            }

            var name = several ? $"{series.Key.Policy} x{series.Key.Instances}" : series.Key.Policy;
            var legendY = Top + 10 + (legend++ * 20);
            Append(svg, $"<line x1=\"{Width - Right + 16}\" y1=\"{legendY}\" x2=\"{Width - Right + 40}\" y2=\"{legendY}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>");
            Append(svg, $"<text x=\"{Width - Right + 46}\" y=\"{legendY + 4}\">{Escape(name)}</text>");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Append(StringBuilder svg, FormattableString line) => svg.Append(Invariant(line)).Append('\n');

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text);
}
