using System.Text;
using Microsoft.AspNetCore.Http;

namespace OpenMme.Wire;

/// <summary>
/// One page of the container contract's <c>GET /models</c>: at most <see cref="Limit"/> models
/// named after <see cref="After"/>, in ordinal order. Shared by the instance and the router, so a
/// fleet's merged list pages, and refuses a bad page, as one instance's does.
/// </summary>
/// <param name="Limit">Most models on the page.</param>
/// <param name="After">The last name of the previous page, or null for the first page.</param>
public readonly record struct ModelListPage(int Limit, string? After)
{
    /// <summary>Most models on one page, and the page size when <c>limit</c> is not given.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Reads <c>limit</c> and <c>next_page_token</c>; false with a message for the caller when either is not one.</summary>
    public static bool TryRead(IQueryCollection query, out ModelListPage page, out string error)
    {
        page = default;
        error = string.Empty;
        var limit = MaxPageSize;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText, out limit) || limit < 1)
            {
                error = $"limit must be a whole number from 1 to {MaxPageSize}.";
                return false;
            }

            limit = Math.Min(limit, MaxPageSize);
        }

        string? after = null;
        if (query.TryGetValue("next_page_token", out var token) && !string.IsNullOrEmpty(token))
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(token.ToString()));
            }
            catch (FormatException)
            {
                error = "next_page_token is not a token this endpoint issued.";
                return false;
            }
        }

        page = new ModelListPage(limit, after);
        return true;
    }

    /// <summary>Whether <paramref name="name"/> comes after the previous page.</summary>
    public bool Follows(string name) => After is null || string.CompareOrdinal(name, After) > 0;

    /// <summary>The token of the page that follows the one ending with <paramref name="lastName"/>.</summary>
    public static string TokenAfter(string lastName) => Convert.ToBase64String(Encoding.UTF8.GetBytes(lastName));
}
