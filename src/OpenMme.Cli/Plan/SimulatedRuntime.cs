using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using OpenMme.Planning;
using OpenMme.Runtime;

namespace OpenMme.Cli.Plan;

/// <summary>A runtime whose loads take the planned model's session-creation time on a fake clock and hold nothing.</summary>
internal sealed class SimulatedRuntime(IReadOnlyList<PlanModel> models, FakeTimeProvider clock) : IModelRuntime
{
    private static readonly ModelSignature Nothing = new([], []);

    public string Name => "simulated";

    public ValueTask<ILoadedModel> LoadAsync(string modelPath, CancellationToken cancellationToken)
    {
        Span<byte> header = stackalloc byte[sizeof(int)];
        using (var file = File.OpenRead(modelPath))
        {
            file.ReadExactly(header);
        }

        clock.Advance(LoadCostModel.Duration(models[BinaryPrimitives.ReadInt32LittleEndian(header)].CreateSeconds));
        return new ValueTask<ILoadedModel>(new Loaded());
    }

    private sealed class Loaded : ILoadedModel
    {
        public ModelSignature Signature => Nothing;

        public TensorSet Run(TensorSet inputs) => throw new NotSupportedException("A planned model is never run.");

        public void Dispose()
        {
        }
    }
}
