using System.Globalization;
using System.Text.Json;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Cli.Fleet;

/// <summary>
/// What the router answered to one invocation: the status (-1: no answer), the instance and route
/// it names in <c>X-OpenMme-Instance</c> and <c>X-OpenMme-Route</c> (empty when the answer had no
/// headers), and what is wrong with it (null: a success whose outputs equal the sample's reference).
/// </summary>
internal sealed record FleetAnswer(int Status, string Instance, string Route, string? Problem)
{
    public bool Succeeded => Problem is null;

    /// <summary>What is wrong with <paramref name="body"/> as the answer to <paramref name="sample"/>'s request; null when nothing is.</summary>
    public static string? Check(SampleModel sample, int status, string body)
    {
        if (status is < 200 or > 299)
        {
            return $"{status}: {body}";
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.GetProperty("model_name").GetString() != sample.Name)
            {
                return $"answer names model {root.GetProperty("model_name")}, not {sample.Name}";
            }

            foreach (var expected in sample.ExpectedOutputs)
            {
                var output = root.GetProperty("outputs").EnumerateArray().FirstOrDefault(o => o.GetProperty("name").GetString() == expected.Name);
                if (output.ValueKind != JsonValueKind.Object)
                {
                    return $"no output {expected.Name} in {body}";
                }

                var data = output.GetProperty("data");
                if (data.GetArrayLength() != expected.Values.Length)
                {
                    return $"{expected.Name} has {data.GetArrayLength()} values, expected {expected.Values.Length}";
                }

                var i = 0;
                foreach (var value in data.EnumerateArray())
                {
                    var actual = value.ValueKind switch { JsonValueKind.True => 1.0, JsonValueKind.False => 0.0, _ => value.GetDouble() };
                    if (Math.Abs(expected.Values[i] - actual) > SampleAssert.RelativeTolerance * Math.Abs(expected.Values[i]))
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"{expected.Name}[{i}]: expected {expected.Values[i]:R}, got {actual:R}");
                    }

                    i++;
                }
            }

            return null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"unreadable answer ({e.Message}): {body}";
        }
    }
}
