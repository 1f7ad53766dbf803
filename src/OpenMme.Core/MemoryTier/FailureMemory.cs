using System.Collections.Concurrent;
using OpenMme.Failures;
using OpenMme.Store;

namespace OpenMme.MemoryTier;

/// <summary>
/// Remembers, for a while, that a model failed to load from one artifact version, so a broken
/// model answers its error at once instead of costing a download and a load per request. A new
/// version of the artifact is tried at once.
/// </summary>
internal sealed class FailureMemory(TimeProvider time, TimeSpan duration)
{
    private readonly ConcurrentDictionary<string, FailedLoad> _failures = new(StringComparer.Ordinal);

    /// <summary>Throws the remembered failure of <paramref name="name"/> at <paramref name="version"/>, if there is one.</summary>
    public void ThrowIfRemembered(string name, ArtifactVersion version)
    {
        if (!_failures.TryGetValue(name, out var failure))
        {
            return;
        }

        if (failure.Version == version && time.GetUtcNow() < failure.Until)
        {
            throw new ModelHostException(failure.Kind, failure.Message);
        }

        _failures.TryRemove(new KeyValuePair<string, FailedLoad>(name, failure));
    }

    public void Remember(string name, ArtifactVersion version, ModelHostException failure) =>
        _failures[name] = new FailedLoad(version, failure.Kind, failure.Message, time.GetUtcNow() + duration);

    private sealed record FailedLoad(ArtifactVersion Version, FailureKind Kind, string Message, DateTimeOffset Until);
}
