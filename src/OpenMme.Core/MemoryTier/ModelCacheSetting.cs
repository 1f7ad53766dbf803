namespace OpenMme.MemoryTier;

/// <summary>SageMaker's <c>MultiModelConfig.ModelCacheSetting</c>.</summary>
public enum ModelCacheSetting
{
    /// <summary>Models stay in memory and on disk while there is room (the default).</summary>
    Enabled,

    /// <summary>
    /// After each invocation the model is unloaded in the background and its artifact deleted
    /// from disk: for fleets whose models are each invoked once or rarely.
    /// </summary>
    Disabled,
}
