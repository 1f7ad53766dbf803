using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenMme.ControlPlane.Api;

/// <summary>
/// The shared part of the List operations: <c>NameContains</c>, <c>SortBy</c> (<c>Name</c>,
/// <c>CreationTime</c>), <c>SortOrder</c> (default <c>Descending</c>), <c>MaxResults</c> (1-100, default
/// 10) and an opaque <c>NextToken</c> (the offset of the next page). Items arrive in creation order.
/// </summary>
internal static class Listing
{
    public static JsonObject Page<T>(JsonElement request, IEnumerable<T> items, Func<T, string> name, Func<T, DateTimeOffset> created, Func<T, JsonObject> summary,
        string member, IReadOnlyList<string> sortKeys, Func<T, string>? status = null)
    {
        var constraints = new Constraints();
        var contains = constraints.String(request, "NameContains", "nameContains", max: 63);
        var sortBy = constraints.Enum(request, "SortBy", "sortBy", sortKeys) ?? "CreationTime";
        var order = constraints.Enum(request, "SortOrder", "sortOrder", ["Ascending", "Descending"]) ?? "Descending";
        var max = constraints.Integer(request, "MaxResults", "maxResults", 1) ?? 10;
        var statusEquals = status is null ? null : constraints.String(request, "StatusEquals", "statusEquals");
        var token = constraints.String(request, "NextToken", "nextToken", max: 8192);
        if (max > 100)
        {
            constraints.Fail(max.ToString(CultureInfo.InvariantCulture), "maxResults", "Member must have value less than or equal to 100");
        }

        constraints.ThrowIfAny();
        var offset = token is null ? 0 : ReadToken(token);
        var filtered = items.Where(i => contains is null || name(i).Contains(contains, StringComparison.OrdinalIgnoreCase))
            .Where(i => statusEquals is null || status!(i) == statusEquals);
        var sorted = sortBy switch
        {
            "Name" => filtered.OrderBy(name, StringComparer.OrdinalIgnoreCase),
            "Status" => filtered.OrderBy(status!, StringComparer.Ordinal).ThenBy(name, StringComparer.OrdinalIgnoreCase),
            // Stable: resources created in the same millisecond keep the store's order, which is creation order.
            _ => filtered.OrderBy(created),
        };
        var all = (order == "Descending" ? sorted.Reverse() : sorted).ToList();
        var page = new JsonArray();
        foreach (var item in all.Skip(offset).Take(max))
        {
            page.Add(summary(item));
        }

        var result = new JsonObject { [member] = page };
        if (offset + max < all.Count)
        {
            result["NextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + max).ToString(CultureInfo.InvariantCulture)));
        }

        return result;
    }

    /// <summary>Epoch seconds with milliseconds, the JSON number botocore reads as a timestamp.</summary>
    public static JsonNode Time(DateTimeOffset time) => JsonValue.Create(time.ToUnixTimeMilliseconds() / 1000.0);

    private static int ReadToken(string token)
    {
        try
        {
            if (int.TryParse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }

        throw ControlPlaneErrors.Invalid("Invalid pagination token: pass the NextToken of the previous page as it was returned.");
    }
}
