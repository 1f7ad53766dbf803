namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// Drives a policy through the memory tier's decision core (<see cref="ResidentSet"/>) the way the
/// memory tier does, one request at a time, with models whose size, load cost and use the test sets.
/// </summary>
internal sealed class PolicyTestSet(string policy, long capacity)
{
    private readonly Dictionary<string, TestEntry> _entries = new(StringComparer.Ordinal);

    public ResidentSet Resident { get; } = new(policy, capacity);

    public MemoryBudget Budget => Resident.Budget;

    public IEvictionPolicy Policy => Resident.Policy;

    /// <summary>Loads a model that fits without evicting anything.</summary>
    public TestEntry Load(string name, long bytes, double loadSeconds = 0.001)
    {
        var evicted = LoadEvicting(name, bytes, loadSeconds);
        Assert.Empty(evicted);
        return _entries[name];
    }

    /// <summary>A request for a model not in memory: reserve (evicting), admit, lease. Returns what was evicted, in order.</summary>
    public List<string> LoadEvicting(string name, long bytes, double loadSeconds = 0.001)
    {
        var entry = _entries.TryGetValue(name, out var known) ? known : _entries[name] = new TestEntry(name);
        if (entry.Bytes != bytes && entry.Bytes != 0)
        {
            // A model of another size under the same name is a new version: new statistics, as the memory tier keeps them per version.
            entry = _entries[name] = new TestEntry(name);
        }

        Assert.False(entry.IsResident, $"{name} is resident already");
        var evicted = new List<EvictionEntry>();
        bool reserved;
        lock (Budget.Sync)
        {
            reserved = Resident.TryReserve(bytes, evicted);
        }

        if (reserved)
        {
            entry.Bytes = bytes;
            entry.LoadSeconds = loadSeconds;
            entry.IsResident = true;
            lock (Budget.Sync)
            {
                Resident.Admit(entry);
            }

            Resident.Use(entry);
        }

        return [.. evicted.Select(e => e.Name)];
    }

    /// <summary>A request for <paramref name="name"/>: a hit if it is resident, else a load. True for a hit.</summary>
    public bool Request(string name, long bytes, double loadSeconds = 0.001)
    {
        if (_entries.TryGetValue(name, out var entry) && entry.IsResident)
        {
            Hit(entry);
            return true;
        }

        LoadEvicting(name, bytes, loadSeconds);
        return false;
    }

    public void Hit(TestEntry entry)
    {
        Assert.True(entry.IsResident, $"{entry.Name} is not resident");
        Resident.Hit(entry);
    }

    public bool IsResident(string name) => _entries.TryGetValue(name, out var entry) && entry.IsResident;

    public TestEntry? Entry(string name) => _entries.GetValueOrDefault(name);

    public int ResidentCount => _entries.Values.Count(e => e.IsResident);

    internal sealed class TestEntry(string name) : EvictionEntry(name, new ModelStatistics())
    {
        public bool IsResident { get; set; }

        /// <summary>Held by a request (or pinned): a policy must pass it over.</summary>
        public bool InUse { get; set; }

        public override bool IsEvictable => !InUse;

        public override bool TryBeginEviction()
        {
            if (InUse)
            {
                return false;
            }

            IsResident = false;
            return true;
        }
    }
}
