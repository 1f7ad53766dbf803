namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// A policy that evicts the idle model of lowest priority first, where a model's priority only
/// rises while it is resident (a use raises it; only a change of size, made under the lock, may
/// lower it). Models are kept in a heap whose keys lag behind: the root is refreshed before it
/// is trusted, so the order is exact while hits touch nothing but the entry.
/// </summary>
internal abstract class PriorityPolicy : IEvictionPolicy
{
    private readonly EntryHeap _heap = new();
    private readonly List<EvictionEntry> _passed = [];

    public abstract string Name { get; }

    public virtual double Inflation => 0;

    public int Count => _heap.Count;

    public long Bytes => _heap.Bytes;

    /// <summary>The model's priority now; the lowest is evicted first.</summary>
    public abstract double Priority(EvictionEntry entry);

    public void Admitted(EvictionEntry entry)
    {
        entry.Segment = EvictionSegment.Window;
        _heap.Add(entry, Priority(entry));
    }

    public void Removed(EvictionEntry entry)
    {
        if (_heap.Remove(entry))
        {
            entry.Segment = EvictionSegment.None;
        }
    }

    public void Resized(EvictionEntry entry, long change)
    {
        if (entry.HeapIndex >= 0)
        {
            _heap.Resized(change);
            _heap.Update(entry, Priority(entry));
        }
    }

    public void SelectVictims(in EvictionRequest request, List<EvictionEntry> victims)
    {
        long freed = 0;
        while (freed < request.BytesToFree && _heap.Count > 0)
        {
            var lowest = _heap.Peek();
            var priority = Priority(lowest);
            if (priority > lowest.HeapKey)
            {
                // Used since it was keyed: put it where it now belongs and look again.
                _heap.Update(lowest, priority);
                continue;
            }

            _heap.Remove(lowest);
            if (lowest.IsEvictable && lowest.TryBeginEviction())
            {
                lowest.Segment = EvictionSegment.None;
                Evicted(priority);
                freed += lowest.Bytes;
                victims.Add(lowest);
            }
            else
            {
                // In use or pinned: set aside until this choice is made, then put back.
                _passed.Add(lowest);
            }
        }

        foreach (var entry in _passed)
        {
            _heap.Add(entry, entry.HeapKey);
        }

        _passed.Clear();
    }

    /// <summary>A model of <paramref name="priority"/> was evicted.</summary>
    protected virtual void Evicted(double priority)
    {
    }
}
