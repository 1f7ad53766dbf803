using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenMme.ControlPlane.Api;

/// <summary>
/// Reads a request's members and collects every constraint they break, as SageMaker's front end does:
/// <c>N validation error(s) detected: Value 'x' at 'modelName' failed to satisfy constraint: ...</c>,
/// member paths in camel case (<c>productionVariants.1.member.modelName</c>). Patterns and lengths are
/// those of botocore's SageMaker service model.
/// </summary>
internal sealed partial class Constraints
{
    /// <summary>Endpoint, endpoint config and variant names.</summary>
    public const string NamePattern = "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}";

    /// <summary>Model names.</summary>
    public const string ModelNamePattern = "^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?";

    private readonly List<string> _errors = [];

    /// <summary>Throws the collected errors as one ValidationException, if there are any.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            var plural = _errors.Count == 1 ? "error" : "errors";
            throw ControlPlaneErrors.Invalid($"{_errors.Count} validation {plural} detected: {string.Join("; ", _errors)}");
        }
    }

    /// <summary>A required resource name: present, a string, at most 63 characters, of the pattern.</summary>
    public string Name(JsonElement parent, string member, string path, bool model = false)
    {
        var value = String(parent, member, path, required: true, max: 63);
        if (value is not null && !(model ? ModelName() : ResourceName()).IsMatch(value))
        {
            Fail(value, path, $"Member must satisfy regular expression pattern: {(model ? ModelNamePattern : NamePattern)}");
        }

        return value ?? string.Empty;
    }

    /// <summary>A string member; null when absent (and an error when <paramref name="required"/>).</summary>
    public string? String(JsonElement parent, string member, string path, bool required = false, int max = int.MaxValue, int min = 0)
    {
        if (!TryGetMember(parent, member, path, required, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            throw new ControlPlaneException(ControlPlaneErrors.Serialization, $"{member} must be a string, not {element.ValueKind}.");
        }

        var value = element.GetString()!;
        if (value.Length > max)
        {
            Fail(value, path, $"Member must have length less than or equal to {max}");
        }

        if (value.Length < min)
        {
            Fail(value, path, $"Member must have length greater than or equal to {min}");
        }

        return value;
    }

    /// <summary>A string member that must be one of <paramref name="values"/>.</summary>
    public string? Enum(JsonElement parent, string member, string path, IReadOnlyList<string> values, bool required = false)
    {
        var value = String(parent, member, path, required);
        if (value is not null && !values.Contains(value, StringComparer.Ordinal))
        {
            Fail(value, path, $"Member must satisfy enum value set: [{string.Join(", ", values)}]");
        }

        return value;
    }

    /// <summary>A string matching <paramref name="pattern"/> (anchored at both ends).</summary>
    public string? Pattern(JsonElement parent, string member, string path, Regex pattern, string shown, int max, bool required = false)
    {
        var value = String(parent, member, path, required, max);
        if (value is not null && !pattern.IsMatch(value))
        {
            Fail(value, path, $"Member must satisfy regular expression pattern: {shown}");
        }

        return value;
    }

    /// <summary>An integer member with a lower bound; null when absent.</summary>
    public int? Integer(JsonElement parent, string member, string path, int min, bool required = false)
    {
        if (!TryGetMember(parent, member, path, required, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
        {
            throw new ControlPlaneException(ControlPlaneErrors.Serialization, $"{member} must be an integer.");
        }

        if (value < min)
        {
            _errors.Add($"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {min}");
        }

        return value;
    }

    /// <summary>A non-negative number member; null when absent.</summary>
    public double? Number(JsonElement parent, string member, string path)
    {
        if (!TryGetMember(parent, member, path, required: false, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            throw new ControlPlaneException(ControlPlaneErrors.Serialization, $"{member} must be a number.");
        }

        var value = element.GetDouble();
        if (value < 0)
        {
            _errors.Add($"Value '{value}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to 0");
        }

        return value;
    }

    /// <summary>An object member; null when absent.</summary>
    public JsonElement? Object(JsonElement parent, string member, string path, bool required = false)
    {
        if (!TryGetMember(parent, member, path, required, out var element))
        {
            return null;
        }

        return element.ValueKind == JsonValueKind.Object ? element : throw new ControlPlaneException(ControlPlaneErrors.Serialization, $"{member} must be an object.");
    }

    /// <summary>A list member with length bounds; null when absent.</summary>
    public JsonElement? List(JsonElement parent, string member, string path, int min, int max, bool required = false)
    {
        if (!TryGetMember(parent, member, path, required, out var element))
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new ControlPlaneException(ControlPlaneErrors.Serialization, $"{member} must be a list.");
        }

        var count = element.GetArrayLength();
        if (count < min)
        {
            _errors.Add($"Value '[]' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        }
        else if (count > max)
        {
            _errors.Add($"Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        }

        return element;
    }

    /// <summary>Adds a constraint broken by <paramref name="value"/> at <paramref name="path"/>.</summary>
    public void Fail(string value, string path, string constraint) => _errors.Add($"Value '{value}' at '{path}' failed to satisfy constraint: {constraint}");

    [GeneratedRegex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")]
    private static partial Regex ResourceName();

    [GeneratedRegex("^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$")]
    private static partial Regex ModelName();

    /// <summary>The member when it is present and not null; otherwise false, and an error when <paramref name="required"/>.</summary>
    private bool TryGetMember(JsonElement parent, string member, string path, bool required, out JsonElement element)
    {
        if (parent.TryGetProperty(member, out element) && element.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            _errors.Add($"Value null at '{path}' failed to satisfy constraint: Member must not be null");
        }

        return false;
    }
}
