using OpenMme.MemoryTier;
using OpenMme.MemoryTier.Eviction;

namespace OpenMme.Planning;

/// <summary>
/// Instances of the memory tier replaying a sequence of requests, with the runtime and the store
/// simulated: each request goes to its model's home instance, whose <see cref="ResidentSet"/>
/// (the decision core <see cref="ModelCache"/> runs, with the same policy code) decides hit,
/// eviction and admission in the order an instance makes those calls for one request at a time;
/// a load costs the model's simulated time instead of creating a session. The simulated disk
/// tier keeps every artifact, so only an instance's first load of a model downloads it.
/// </summary>
internal sealed class CacheSimulation
{
    private const string SimulatedVersion = "simulated";

    private readonly IReadOnlyList<PlanModel> _models;
    private readonly string _policy;
    private readonly long _memoryPerInstance;
    private readonly int[] _homes;
    private readonly int _instances;

    /// <param name="models">The models requests refer to by index.</param>
    /// <param name="policy">The eviction policy's name.</param>
    /// <param name="memoryPerInstance">Each instance's memory budget.</param>
    /// <param name="instances">How many instances share the models.</param>
    public CacheSimulation(IReadOnlyList<PlanModel> models, string policy, long memoryPerInstance, int instances)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryPerInstance);
        _models = models;
        _policy = policy;
        _memoryPerInstance = memoryPerInstance;
        _instances = instances;
        _homes = Placement.Rendezvous([.. models.Select(m => m.Name)], instances);
    }

    /// <summary>Replays <paramref name="requests"/> (model indexes) from cold.</summary>
    /// <param name="requests">The sequence.</param>
    /// <param name="outcomes">When given, receives each request's outcome (a refused request is recorded as a miss).</param>
    /// <param name="segmentLength">When positive, the hit ratio of each block of this many requests is reported too.</param>
    /// <param name="progress">Called with the requests replayed so far, every million before the end.</param>
    public SimulationResult Run(ReadOnlySpan<int> requests, CacheOutcome[]? outcomes = null, int segmentLength = 0, Action<long>? progress = null)
    {
        var sets = new ResidentSet[_instances];
        var entries = new SimulatedModel?[_instances][];
        for (var i = 0; i < _instances; i++)
        {
            sets[i] = new ResidentSet(_policy, _memoryPerInstance);
            entries[i] = new SimulatedModel?[_models.Count];
        }

        var evicted = new List<EvictionEntry>();
        var tally = new Tally(_models, requests.Length, segmentLength);
        for (var r = 0; r < requests.Length; r++)
        {
            var index = requests[r];
            var home = _homes[index];
            var set = sets[home];
            var model = entries[home][index] ??= new SimulatedModel(_models[index], new ModelStatistics());
            CacheOutcome outcome;
            if (model.IsResident)
            {
                set.Hit(model);
                tally.Request(index, hit: true, loaded: false, firstLoad: false);
                outcome = CacheOutcome.Hit;
            }
            else
            {
                outcome = model.IsOnDisk ? CacheOutcome.Disk : CacheOutcome.Miss;
                var loaded = Load(set, model, evicted);
                tally.Request(index, hit: false, loaded, firstLoad: outcome == CacheOutcome.Miss);
                tally.Evicted(evicted.Count);
                model.IsOnDisk |= loaded;
                evicted.Clear();
            }

            if (outcomes is not null)
            {
                outcomes[r] = outcome;
            }

            if (progress is not null && (r + 1) % 1_000_000 == 0 && r + 1 < requests.Length)
            {
                progress(r + 1);
            }
        }

        return tally.Result();
    }

    /// <summary>A miss, as <see cref="ModelCache"/> handles it: reserve (evicting), load, admit, then the waiting request's lease.</summary>
    private static bool Load(ResidentSet set, SimulatedModel model, List<EvictionEntry> evicted)
    {
        if (model.Model.Bytes > set.Budget.Capacity)
        {
            // Refused before anything is evicted, as the memory tier refuses a model larger than its whole budget.
            return false;
        }

        lock (set.Budget.Sync)
        {
            if (!set.TryReserve(model.Model.Bytes, evicted))
            {
                return false;
            }
        }

        foreach (SimulatedModel victim in evicted)
        {
            victim.Statistics.Evicted();
        }

        model.Bytes = model.Model.Bytes;
        model.LoadSeconds = model.Statistics.CheapestLoad(SimulatedVersion, model.Model.CreateSeconds);
        model.IsResident = true;
        lock (set.Budget.Sync)
        {
            set.Admit(model);
        }

        set.Use(model);
        return true;
    }
}
