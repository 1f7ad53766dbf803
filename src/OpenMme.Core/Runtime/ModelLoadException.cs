namespace OpenMme.Runtime;

/// <summary>A model artifact that cannot be loaded (corrupt, unsupported, missing files).</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
