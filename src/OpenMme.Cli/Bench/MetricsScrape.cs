using System.Globalization;

namespace OpenMme.Cli.Bench;

/// <summary>Reads an OpenMME endpoint's cumulative download and load time from its <c>/metrics</c>.</summary>
internal static class MetricsScrape
{
    private static readonly string[] LoadSums = ["openmme_model_loading_time_seconds_sum", "openmme_model_downloading_time_seconds_sum"];

    /// <summary>Seconds spent downloading and loading models so far, or null when the target has no OpenMME metrics.</summary>
    public static async Task<double?> LoadSecondsAsync(HttpClient client, Uri invocationUrl, CancellationToken cancellationToken)
    {
        try
        {
            var text = await client.GetStringAsync(new Uri(invocationUrl, "/metrics"), cancellationToken).ConfigureAwait(false);
            double? total = null;
            foreach (var line in text.Split('\n'))
            {
                foreach (var name in LoadSums)
                {
                    if (line.StartsWith(name, StringComparison.Ordinal)
                        && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    {
                        total = (total ?? 0) + value;
                    }
                }
            }

            return total;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
