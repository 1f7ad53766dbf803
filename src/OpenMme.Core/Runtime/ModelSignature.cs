namespace OpenMme.Runtime;

/// <summary>A model's inputs and outputs, as its own metadata describes them.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    /// <summary>Finds an input by name, or null.</summary>
    public TensorSpec? FindInput(string name)
    {
        foreach (var input in Inputs)
        {
            if (input.Name == name)
            {
                return input;
            }
        }

        return null;
    }

    /// <summary>Describes the signature for error messages.</summary>
    public override string ToString() =>
        $"inputs [{string.Join(", ", Inputs)}], outputs [{string.Join(", ", Outputs)}]";
}
