using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using OpenMme.Planning;
using OpenMme.Store;

namespace OpenMme.Cli.Plan;

/// <summary>
/// A model store whose artifacts are as large as the planned models' files and whose downloads
/// take the planned time on a fake clock. Each artifact starts with its model's index, which
/// <see cref="SimulatedRuntime"/> reads back to know what it loads.
/// </summary>
internal sealed class SimulatedStore(IReadOnlyList<PlanModel> models, IReadOnlyList<long> artifactBytes, FakeTimeProvider clock) : IModelStore
{
    private readonly Dictionary<string, int> _index = models.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);

    public string Source => "simulated://";

    public string Describe(string key) => $"(simulated store, key: {key})";

    public ValueTask<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken) =>
        new(_index.TryGetValue(key, out var i) ? new ArtifactInfo(key, artifactBytes[i], new ArtifactVersion("simulated")) : null);

    public async IAsyncEnumerable<ArtifactInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var model in models)
        {
            if (await StatAsync(model.Name, cancellationToken).ConfigureAwait(false) is { } artifact)
            {
                yield return artifact;
            }
        }
    }

    public ValueTask<Stream> OpenReadAsync(ArtifactInfo artifact, CancellationToken cancellationToken)
    {
        var index = _index[artifact.Key];
        clock.Advance(LoadCostModel.Duration(models[index].DownloadSeconds));
        var bytes = new byte[artifact.Size];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, index);
        return new ValueTask<Stream>(new MemoryStream(bytes, writable: false));
    }
}
