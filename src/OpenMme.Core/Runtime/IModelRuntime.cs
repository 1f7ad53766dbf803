namespace OpenMme.Runtime;

/// <summary>A model backend, chosen by name. Loads an unpacked model folder into a runnable model.</summary>
public interface IModelRuntime
{
    /// <summary>The backend's name (<c>onnx</c>).</summary>
    string Name { get; }

    /// <summary>Loads the model file at <paramref name="modelPath"/>. Throws <see cref="ModelLoadException"/> on a bad model.</summary>
    ValueTask<ILoadedModel> LoadAsync(string modelPath, CancellationToken cancellationToken);
}
