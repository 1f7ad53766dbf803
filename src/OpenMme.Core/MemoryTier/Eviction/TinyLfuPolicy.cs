namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// W-TinyLFU, weighed by size and load cost. A newly loaded model enters a small LRU window; when
/// the window overflows, its oldest model asks to enter the main region. It is admitted only if
/// it is worth more per byte than the models it would displace, where a model's worth is how
/// often it was asked for lately (a frequency sketch that ages by halving, TinyLFU's filter) times
/// what loading it again costs. The main region gives up its models in order of least worth per
/// byte (GDSF's order, with recent rather than lifelong frequency): a large model must be worth
/// all the small ones it would push out, a slow one counts for more than a fast one asked for as
/// often. A candidate that loses leaves, and the main region keeps its models: one-off requests
/// cannot flush the popular models, and a model that becomes popular gets in as soon as its count
/// passes theirs. When the hit ratio falls at once (popularity shifted), every count is lowered so
/// that the new favourites need not wait for the old ones' counts to age away. The hit path
/// touches only the entry; hits reach the sketch when the policy next looks.
/// </summary>
internal sealed class TinyLfuPolicy : IEvictionPolicy
{
    /// <summary>The window's share of the budget.</summary>
    public const double WindowShare = 0.01;

    /// <summary>
    /// Requests between agings, per model the memory held at most. TinyLFU samples 10 × capacity;
    /// a model cache holds few entries, and ranking the models near the memory boundary of a flat
    /// popularity (Zipf 0.8) needed more (docs/benchmarks.md), at the price of slower adaptation.
    /// </summary>
    public const int SamplesPerModel = 32;

    /// <summary>The count every model keeps after a sudden drop of the hit ratio (<see cref="Forget"/>).</summary>
    public const int CountAfterDrop = 1;

    private const int MinimumModels = 32;
    private const int CountersPerModel = 16;
    private const int CountersPerName = 4;

    private readonly long _capacity;
    private readonly EntryHeap _window = new();
    private readonly EntryHeap _main = new();
    private readonly List<EvictionEntry> _displaced = [];
    private readonly List<EvictionEntry> _passed = [];
    private readonly FrequencySketch _sketch = new(MinimumModels * CountersPerModel);
    private readonly HitRatioDrop _drop = new();
    private int _mostModels = MinimumModels;
    private int _names;
    private long _agedAt;

    public TinyLfuPolicy(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        _capacity = capacityBytes;
    }

    public string Name => "tinylfu";

    public double Inflation => 0;

    public int Count => _window.Count + _main.Count;

    public long Bytes => _window.Bytes + _main.Bytes;

    private long WindowMax => (long)(_capacity * WindowShare);

    private long MainMax => _capacity - WindowMax;

    /// <summary>The model's estimated requests lately (after adding its hits not yet counted).</summary>
    public int Frequency(EvictionEntry entry)
    {
        CountHits(entry);
        return _sketch.Estimate(entry.KeyHash);
    }

    public void Admitted(EvictionEntry entry)
    {
        entry.CountedHits = entry.Statistics.Hits;
        _sketch.Add(entry.KeyHash, 1);
        _drop.Miss();
        entry.Segment = EvictionSegment.Window;
        _window.Add(entry, entry.LastUse);
        _mostModels = Math.Max(_mostModels, Count);
        if (entry.Statistics.Misses == 1)
        {
            // The name's first load (its statistics outlive its residencies).
            _names++;
        }

        if (Math.Max(_mostModels * CountersPerModel, _names * CountersPerName) > _sketch.Width)
        {
            // More models fit, or more names were asked for, than the sketch was sized for: one twice
            // as wide (counts start again, as Caffeine's do).
            _sketch.Resize(2 * _sketch.Width);
        }
    }

    public void Removed(EvictionEntry entry)
    {
        if (HeapOf(entry.Segment) is { } heap && heap.Remove(entry))
        {
            CountHits(entry);
            entry.Segment = EvictionSegment.None;
        }
    }

    public void Resized(EvictionEntry entry, long change)
    {
        HeapOf(entry.Segment)?.Resized(change);
        if (entry.Segment == EvictionSegment.Main)
        {
            _main.Update(entry, Density(entry));
        }
    }

    public void SelectVictims(in EvictionRequest request, List<EvictionEntry> victims)
    {
        if (_drop.Dropped(request.Requests, _mostModels))
        {
            Forget(request.Requests);
        }
        else
        {
            Age(request.Requests);
        }

        long freed = 0;
        while (freed < request.BytesToFree)
        {
            if (_window.Bytes + request.IncomingBytes > WindowMax && Oldest(_window) is { } candidate)
            {
                freed += Admit(candidate, victims);
                continue;
            }

            // The window is within its share, so the main region holds more than its own: its least worth goes.
            var victim = LeastInMain() ?? Oldest(_window);
            if (victim is null)
            {
                break;
            }

            freed += Evict(victim, victims);
        }

        Restore(_passed);
    }

    /// <summary>The window's oldest model enters the main region or leaves memory; returns the bytes freed.</summary>
    private long Admit(EvictionEntry candidate, List<EvictionEntry> victims)
    {
        _window.Remove(candidate);
        var room = MainMax - _main.Bytes;
        if (candidate.Bytes <= room || !candidate.IsEvictable)
        {
            // Room in the main region (memory still filling), or in use and so not to be turned away now.
            ToMain(candidate);
            return 0;
        }

        // The candidate is weighed against the models filling only the bytes it lacks. Room in the main region is
        // room its own load cleared (a model larger than the window evicted the least worth per byte on its way in):
        // weighing it over its whole size would reach past them to the models most worth keeping, and turn away a
        // large model worth more than what its load displaced (docs/benchmarks.md, large slow models).
        long gathered = 0;
        double displacedWorth = 0;
        while (gathered < candidate.Bytes - room && LeastInMain() is { } victim)
        {
            _main.Remove(victim);
            if (victim.IsEvictable)
            {
                displacedWorth += Worth(victim);
                _displaced.Add(victim);
                gathered += victim.Bytes;
            }
            else
            {
                _passed.Add(victim);
            }
        }

        long freed = 0;
        if (gathered >= candidate.Bytes - room && Density(candidate) > displacedWorth / Math.Max(1, gathered))
        {
            foreach (var victim in _displaced)
            {
                freed += Claim(victim, victims);
            }

            ToMain(candidate);
        }
        else
        {
            Restore(_displaced);
            freed += Claim(candidate, victims);
        }

        _displaced.Clear();
        return freed;
    }

    private long Evict(EvictionEntry victim, List<EvictionEntry> victims)
    {
        HeapOf(victim.Segment)!.Remove(victim);
        if (victim.IsEvictable)
        {
            return Claim(victim, victims);
        }

        _passed.Add(victim);
        return 0;
    }

    /// <summary>Evicts a model already out of its heap; if a request took it meanwhile, it is put back.</summary>
    private long Claim(EvictionEntry entry, List<EvictionEntry> victims)
    {
        if (!entry.TryBeginEviction())
        {
            _passed.Add(entry);
            return 0;
        }

        CountHits(entry);
        entry.Segment = EvictionSegment.None;
        victims.Add(entry);
        return entry.Bytes;
    }

    /// <summary>What keeping the model saves: its recent requests times what each would cost to load it again.</summary>
    private double Worth(EvictionEntry entry) => Frequency(entry) * Math.Max(entry.LoadSeconds, 1e-6);

    private double Density(EvictionEntry entry) => Worth(entry) / Math.Max(1, entry.Bytes);

    /// <summary>
    /// The main region's model of least worth per byte. Between agings a model's worth only rises
    /// (hits are counted, never uncounted), so the heap's keys lag behind and the root is refreshed
    /// before it is trusted; an aging keys every model afresh.
    /// </summary>
    private EvictionEntry? LeastInMain()
    {
        while (_main.Count > 0)
        {
            var least = _main.Peek();
            var density = Density(least);
            if (density <= least.HeapKey)
            {
                return least;
            }

            _main.Update(least, density);
        }

        return null;
    }

    /// <summary>The least recently used model of a heap keyed by last use, after refreshing keys that lag.</summary>
    private static EvictionEntry? Oldest(EntryHeap heap)
    {
        while (heap.Count > 0)
        {
            var oldest = heap.Peek();
            if (oldest.LastUse <= oldest.HeapKey)
            {
                return oldest;
            }

            heap.Update(oldest, oldest.LastUse);
        }

        return null;
    }

    private void ToMain(EvictionEntry entry)
    {
        entry.Segment = EvictionSegment.Main;
        _main.Add(entry, Density(entry));
    }

    /// <summary>Puts models taken out of their heaps back where they were.</summary>
    private void Restore(List<EvictionEntry> entries)
    {
        foreach (var entry in entries)
        {
            HeapOf(entry.Segment)!.Add(entry, entry.HeapKey);
        }

        entries.Clear();
    }

    private EntryHeap? HeapOf(EvictionSegment segment) => segment switch
    {
        EvictionSegment.Window => _window,
        EvictionSegment.Main => _main,
        _ => null,
    };

    /// <summary>Adds the hits the model had since they were last counted.</summary>
    private void CountHits(EvictionEntry entry)
    {
        var hits = entry.Statistics.Hits;
        _sketch.Add(entry.KeyHash, hits - entry.CountedHits);
        entry.CountedHits = hits;
    }

    /// <summary>Halves every count once per sample of requests.</summary>
    private void Age(long requests)
    {
        if (requests - _agedAt >= (long)SamplesPerModel * _mostModels)
        {
            CountResidentHits();
            _sketch.Halve();
            Rekey(requests);
        }
    }

    /// <summary>
    /// After the hit ratio fell at once (<see cref="HitRatioDrop"/>) the models asked for changed, and
    /// halving would take several periods to wear down the counts of the models popular before (a
    /// count of thousands against the few the new ones have earned), while LRU has replaced them
    /// already. Every count is lowered to <see cref="CountAfterDrop"/>: a model asked for twice since
    /// displaces one popular before, as it would in LRU, while a burst of models asked for once each
    /// (a scan, which drops the hit ratio too) still cannot.
    /// </summary>
    private void Forget(long requests)
    {
        CountResidentHits();
        _sketch.Cap(CountAfterDrop);
        Rekey(requests);
    }

    /// <summary>Adds every resident model's hits not yet counted, before its counts change.</summary>
    private void CountResidentHits()
    {
        foreach (var heap in (ReadOnlySpan<EntryHeap>)[_window, _main])
        {
            for (var i = 0; i < heap.Count; i++)
            {
                CountHits(heap[i]);
            }
        }
    }

    /// <summary>Keys the main region afresh after its counts were lowered.</summary>
    private void Rekey(long requests)
    {
        _agedAt = requests;
        for (var i = 0; i < _main.Count; i++)
        {
            _passed.Add(_main[i]);
        }

        foreach (var entry in _passed)
        {
            _main.Update(entry, Density(entry));
        }

        _passed.Clear();
    }
}
