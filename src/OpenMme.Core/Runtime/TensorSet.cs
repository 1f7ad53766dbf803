namespace OpenMme.Runtime;

/// <summary>An owned list of tensors (a request's inputs or a model's outputs), disposed together.</summary>
public sealed class TensorSet : IDisposable
{
    private readonly List<Tensor> _tensors;

    /// <summary>Creates an empty set.</summary>
    public TensorSet(int capacity = 4) => _tensors = new List<Tensor>(capacity);

    /// <summary>Number of tensors.</summary>
    public int Count => _tensors.Count;

    /// <summary>The tensor at <paramref name="index"/>.</summary>
    public Tensor this[int index] => _tensors[index];

    /// <summary>Adds a tensor; the set now owns it.</summary>
    public void Add(Tensor tensor) => _tensors.Add(tensor);

    /// <summary>Finds a tensor by name, or null.</summary>
    public Tensor? Find(string name)
    {
        foreach (var tensor in _tensors)
        {
            if (tensor.Name == name)
            {
                return tensor;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _tensors)
        {
            tensor.Dispose();
        }

        _tensors.Clear();
    }
}
