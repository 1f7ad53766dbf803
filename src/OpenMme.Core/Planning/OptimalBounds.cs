namespace OpenMme.Planning;

/// <summary>
/// What no eviction policy could beat on the same requests, per instance of the same placement:
/// the online optimum, which knows how popular each model is over the whole sequence and keeps
/// the most popular models that fit; and the offline optimum (Belady), which knows the future
/// and evicts the model asked for again furthest ahead, or does not keep a model whose next use
/// is further still. Belady is exact for models of one size; for models of different sizes the
/// optimum is NP-hard, and the bound is an approximation that evicts the largest
/// (bytes × distance to next use) first, which can fall below a real policy.
/// </summary>
internal static class OptimalBounds
{
    private const int Never = int.MaxValue;

    /// <summary>The online optimum: the models with the most requests per byte, kept from their first request on.</summary>
    public static SimulationResult Static(IReadOnlyList<PlanModel> models, int[] homes, long memoryPerInstance, ReadOnlySpan<int> requests, int segmentLength = 0)
    {
        var counts = new long[models.Count];
        foreach (var index in requests)
        {
            counts[index]++;
        }

        var order = Enumerable.Range(0, models.Count).Where(m => counts[m] > 0)
            .OrderByDescending(m => (double)counts[m] / Math.Max(1, models[m].Bytes)).ThenByDescending(m => counts[m]).ThenBy(m => m).ToArray();
        var room = Enumerable.Repeat(memoryPerInstance, homes.Length == 0 ? 1 : homes.Max() + 1).ToArray();
        var kept = new bool[models.Count];
        foreach (var m in order)
        {
            if (models[m].Bytes <= room[homes[m]])
            {
                kept[m] = true;
                room[homes[m]] -= models[m].Bytes;
            }
        }

        var tally = new Tally(models, requests.Length, segmentLength);
        var seen = new bool[models.Count];
        foreach (var m in requests)
        {
            tally.Request(m, hit: kept[m] && seen[m], loaded: !(kept[m] && seen[m]) && models[m].Bytes <= memoryPerInstance, firstLoad: !seen[m]);
            seen[m] = true;
        }

        return tally.Result();
    }

    /// <summary>The offline optimum (Belady's MIN, with the choice not to keep a model), exact when all models have one size.</summary>
    public static SimulationResult Belady(IReadOnlyList<PlanModel> models, int[] homes, long memoryPerInstance, ReadOnlySpan<int> requests, int segmentLength = 0)
    {
        var next = NextUses(models.Count, requests);
        var instances = homes.Length == 0 ? 1 : homes.Max() + 1;
        var equalSizes = models.Count == 0 || models.All(m => m.Bytes == models[0].Bytes);
        var tally = new Tally(models, requests.Length, segmentLength);
        var seen = new bool[models.Count];
        var cached = new bool[models.Count];
        var nextOf = new long[models.Count];
        var used = new long[instances];
        var furthest = new PriorityQueue<int, long>[instances];
        var residents = new List<int>[instances];
        for (var i = 0; i < instances; i++)
        {
            furthest[i] = new PriorityQueue<int, long>();
            residents[i] = [];
        }

        for (var r = 0; r < requests.Length; r++)
        {
            var m = requests[r];
            var home = homes[m];
            var bytes = models[m].Bytes;
            var hit = cached[m];
            tally.Request(m, hit, loaded: !hit && bytes <= memoryPerInstance, firstLoad: !seen[m]);
            seen[m] = true;
            nextOf[m] = next[r];
            if (hit)
            {
                if (equalSizes)
                {
                    furthest[home].Enqueue(m, -nextOf[m]);
                }

                continue;
            }

            if (bytes > memoryPerInstance)
            {
                continue;
            }

            var kept = equalSizes
                ? KeepOfOneSize(m, bytes, memoryPerInstance, furthest[home], cached, nextOf, ref used[home])
                : KeepBySize(m, r, models, memoryPerInstance, cached, nextOf, residents[home], ref used[home]);
            if (kept)
            {
                cached[m] = true;
                used[home] += bytes;
                if (equalSizes)
                {
                    furthest[home].Enqueue(m, -nextOf[m]);
                }
                else
                {
                    residents[home].Add(m);
                }
            }
        }

        return tally.Result();
    }

    /// <summary>MIN: room for the model if one is free, or by evicting the kept model used again furthest ahead when that is later than this one's next use.</summary>
    private static bool KeepOfOneSize(int m, long bytes, long capacity, PriorityQueue<int, long> furthest, bool[] cached, long[] nextOf, ref long used)
    {
        if (used + bytes <= capacity)
        {
            return true;
        }

        // Entries go stale when a model is used again (re-queued with its new next use) or evicted.
        while (furthest.TryPeek(out var victim, out var negated) && !(cached[victim] && nextOf[victim] == -negated))
        {
            furthest.Dequeue();
        }

        if (!furthest.TryPeek(out var furthestModel, out var furthestNegated) || -furthestNegated <= nextOf[m])
        {
            return false;
        }

        furthest.Dequeue();
        cached[furthestModel] = false;
        used -= bytes;
        return true;
    }

    /// <summary>Belady-Size: keep the model if the kept models of larger bytes × distance to next use free enough room, evicting those.</summary>
    private static bool KeepBySize(int m, int r, IReadOnlyList<PlanModel> models, long capacity, bool[] cached, long[] nextOf, List<int> residents, ref long used)
    {
        var bytes = models[m].Bytes;
        if (used + bytes <= capacity)
        {
            return true;
        }

        var weight = Weight(m);
        var heavier = residents.Where(k => Weight(k) > weight).OrderByDescending(Weight).ToList();
        var free = capacity - used;
        var evict = 0;
        while (free < bytes && evict < heavier.Count)
        {
            free += models[heavier[evict]].Bytes;
            evict++;
        }

        if (free < bytes)
        {
            return false;
        }

        for (var i = 0; i < evict; i++)
        {
            cached[heavier[i]] = false;
            used -= models[heavier[i]].Bytes;
            residents.Remove(heavier[i]);
        }

        return true;

        double Weight(int model) => (double)models[model].Bytes * (nextOf[model] - r);
    }

    /// <summary>For each request, the index of the next request for the same model, or <see cref="Never"/>.</summary>
    private static int[] NextUses(int models, ReadOnlySpan<int> requests)
    {
        var next = new int[requests.Length];
        var after = new int[models];
        Array.Fill(after, Never);
        for (var r = requests.Length - 1; r >= 0; r--)
        {
            next[r] = after[requests[r]];
            after[requests[r]] = r;
        }

        return next;
    }
}
