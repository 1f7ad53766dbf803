using OpenMme.Failures;

namespace OpenMme.Store;

/// <summary>Rules for a target model key (the <c>X-Amzn-SageMaker-Target-Model</c> header).</summary>
public static class ModelKey
{
    /// <summary>Longest key SageMaker accepts.</summary>
    public const int MaxLength = 1024;

    /// <summary>Returns null when <paramref name="key"/> is acceptable, else a message saying what is wrong.</summary>
    public static string? Check(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "The target model is empty; name a model artifact relative to the endpoint's model source, e.g. model.onnx.";
        }

        if (key.Length > MaxLength)
        {
            return $"The target model is {key.Length} characters long; at most {MaxLength} are allowed.";
        }

        if (char.IsWhiteSpace(key[0]))
        {
            return "The target model must not start with whitespace.";
        }

        foreach (var c in key)
        {
            if (c < 0x20 || c == 0x7f)
            {
                return "The target model must consist of printable characters.";
            }
        }

        if (key[0] == '/' || key[0] == '\\')
        {
            return $"The target model '{key}' is an absolute path; use a key relative to the model source.";
        }

        foreach (var segment in key.Split('/', '\\'))
        {
            if (segment == "..")
            {
                return $"The target model '{key}' contains a '..' path segment, which is not allowed.";
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="ModelHostException"/> (invalid request) when the key is not acceptable.</summary>
    public static void Validate(string? key)
    {
        var problem = Check(key);
        if (problem is not null)
        {
            throw new ModelHostException(FailureKind.InvalidRequest, problem);
        }
    }
}
