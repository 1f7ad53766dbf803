namespace OpenMme.MemoryTier.Eviction;

/// <summary>Which part of a policy holds a model.</summary>
internal enum EvictionSegment : byte
{
    /// <summary>Not held by the policy.</summary>
    None,

    /// <summary>Held in a policy's single order (LRU, GDSF), or newly loaded (TinyLFU's window).</summary>
    Window,

    /// <summary>Admitted to TinyLFU's main region.</summary>
    Main,
}
