namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// A binary min-heap of entries by <see cref="EvictionEntry.HeapKey"/>, indexed so that an entry
/// can be re-keyed or removed where it stands. Policies keep keys that only lag behind the truth
/// (a use raises a priority without touching the heap, as the hit path must not lock): they
/// refresh the root before trusting it, which keeps the order exact without work on hits.
/// </summary>
internal sealed class EntryHeap
{
    private EvictionEntry[] _items = new EvictionEntry[16];

    public int Count { get; private set; }

    /// <summary>Bytes of the entries held.</summary>
    public long Bytes { get; private set; }

    public EvictionEntry Peek() => Count > 0 ? _items[0] : throw new InvalidOperationException("The heap is empty.");

    /// <summary>The entry at <paramref name="index"/> (0 to <see cref="Count"/> - 1), in no particular order.</summary>
    public EvictionEntry this[int index] => index < Count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public void Add(EvictionEntry entry, double key)
    {
        if (entry.HeapIndex >= 0)
        {
            throw new InvalidOperationException($"{entry.Name} is already in a heap.");
        }

        if (Count == _items.Length)
        {
            Array.Resize(ref _items, Count * 2);
        }

        entry.HeapKey = key;
        _items[Count] = entry;
        entry.HeapIndex = Count;
        Count++;
        Bytes += entry.Bytes;
        SiftUp(entry.HeapIndex);
    }

    /// <summary>Takes the entry out, wherever it stands; false when it is not in this heap.</summary>
    public bool Remove(EvictionEntry entry)
    {
        var index = entry.HeapIndex;
        if (index < 0 || index >= Count || _items[index] != entry)
        {
            return false;
        }

        Count--;
        Bytes -= entry.Bytes;
        entry.HeapIndex = -1;
        if (index != Count)
        {
            var last = _items[Count];
            _items[index] = last;
            last.HeapIndex = index;
            SiftDown(index);
            SiftUp(last.HeapIndex);
        }

        _items[Count] = null!;
        return true;
    }

    /// <summary>Moves an entry to where <paramref name="key"/> puts it.</summary>
    public void Update(EvictionEntry entry, double key)
    {
        var raised = key > entry.HeapKey;
        entry.HeapKey = key;
        if (raised)
        {
            SiftDown(entry.HeapIndex);
        }
        else
        {
            SiftUp(entry.HeapIndex);
        }
    }

    /// <summary>Accounts a held entry's change of size (made under the same lock).</summary>
    public void Resized(long change) => Bytes += change;

    private void SiftUp(int index)
    {
        var entry = _items[index];
        while (index > 0)
        {
            var parent = (index - 1) >> 1;
            if (_items[parent].HeapKey <= entry.HeapKey)
            {
                break;
            }

            Place(_items[parent], index);
            index = parent;
        }

        Place(entry, index);
    }

    private void SiftDown(int index)
    {
        var entry = _items[index];
        while (true)
        {
            var child = (2 * index) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && _items[child + 1].HeapKey < _items[child].HeapKey)
            {
                child++;
            }

            if (_items[child].HeapKey >= entry.HeapKey)
            {
                break;
            }

            Place(_items[child], index);
            index = child;
        }

        Place(entry, index);
    }

    private void Place(EvictionEntry entry, int index)
    {
        _items[index] = entry;
        entry.HeapIndex = index;
    }
}
