using System.Text.Json;

namespace OpenMme.Wire.Auth;

/// <summary>
/// Reads access keys: a file (<c>--access-keys</c>) with a JSON object <c>{"ACCESS_KEY_ID": "SECRET"}</c> or one
/// <c>ACCESS_KEY_ID SECRET_ACCESS_KEY</c> pair a line (<c>#</c> starts a comment), and one pair from
/// <c>OPENMME_ACCESS_KEY_ID</c> / <c>OPENMME_SECRET_ACCESS_KEY</c>.
/// </summary>
public static class AccessKeyFile
{
    /// <summary>
    /// The keys of <paramref name="path"/> (when given) and of the environment together, or null after
    /// adding what is wrong to <paramref name="problems"/>.
    /// </summary>
    /// <param name="path">The key file, or null for none.</param>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    /// <param name="problems">Receives one sentence per problem.</param>
    public static Dictionary<string, string>? Load(string? path, Func<string, string?> environment, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(problems);
        var before = problems.Count;
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        if (path is not null)
        {
            ReadFile(path, keys, problems);
        }

        var id = environment(RequestSigningSettings.AccessKeyIdVariable);
        var secret = environment(RequestSigningSettings.SecretAccessKeyVariable);
        if (string.IsNullOrEmpty(id) != string.IsNullOrEmpty(secret))
        {
            problems.Add($"Only one of {RequestSigningSettings.AccessKeyIdVariable} and {RequestSigningSettings.SecretAccessKeyVariable} is set: set both, or neither.");
        }
        else if (!string.IsNullOrEmpty(id))
        {
            Add(keys, id.Trim(), secret!.Trim(), RequestSigningSettings.AccessKeyIdVariable, problems);
        }

        return problems.Count == before ? keys : null;
    }

    /// <summary>What is wrong with an access key id, or null: it is the first part of a credential scope, so no '/' and no white space.</summary>
    public static string? KeyIdProblem(string id) =>
        id.Length is 0 or > 128 || id.AsSpan().IndexOfAny("/ \t\r\n,=") >= 0
            ? $"The access key id '{id}' must have 1 to 128 characters and no '/', ',', '=' or white space, e.g. AKIAIOSFODNN7EXAMPLE."
            : null;

    private static void ReadFile(string path, Dictionary<string, string> keys, List<string> problems)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problems.Add($"--access-keys {path}: the file cannot be read ({e.Message}).");
            return;
        }

        var before = keys.Count;
        if (text.AsSpan().TrimStart().StartsWith('{'))
        {
            ReadJson(path, text, keys, problems);
        }
        else
        {
            ReadLines(path, text, keys, problems);
        }

        if (keys.Count == before)
        {
            problems.Add($"--access-keys {path} holds no keys: write one 'ACCESS_KEY_ID SECRET_ACCESS_KEY' pair a line, or a JSON object {{\"ACCESS_KEY_ID\": \"SECRET_ACCESS_KEY\"}}.");
        }
    }

    private static void ReadJson(string path, string text, Dictionary<string, string> keys, List<string> problems)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    problems.Add($"--access-keys {path}: the secret of '{property.Name}' must be a JSON string.");
                    continue;
                }

                Add(keys, property.Name, property.Value.GetString()!, $"--access-keys {path}", problems);
            }
        }
        catch (JsonException e)
        {
            problems.Add($"--access-keys {path} is not valid JSON ({e.Message}): write a JSON object {{\"ACCESS_KEY_ID\": \"SECRET_ACCESS_KEY\"}}.");
        }
    }

    private static void ReadLines(string path, string text, Dictionary<string, string> keys, List<string> problems)
    {
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                problems.Add($"--access-keys {path} line {number}: expected 'ACCESS_KEY_ID SECRET_ACCESS_KEY', two words separated by a space.");
                continue;
            }

            Add(keys, parts[0], parts[1], $"--access-keys {path} line {number}", problems);
        }
    }

    private static void Add(Dictionary<string, string> keys, string id, string secret, string where, List<string> problems)
    {
        if (KeyIdProblem(id) is { } problem)
        {
            problems.Add($"{where}: {problem}");
        }
        else if (secret.Length is 0 or > RequestSigningSettings.MaxSecretLength)
        {
            problems.Add($"{where}: the secret of '{id}' must have 1 to {RequestSigningSettings.MaxSecretLength} characters.");
        }
        else if (keys.TryGetValue(id, out var existing) && existing != secret)
        {
            problems.Add($"{where}: access key '{id}' is given twice with different secrets.");
        }
        else
        {
            keys[id] = secret;
        }
    }
}
