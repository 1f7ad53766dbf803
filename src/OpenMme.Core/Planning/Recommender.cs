namespace OpenMme.Planning;

/// <summary>
/// Finds the instance type and count that reach a target hit ratio on a trace with the least
/// memory in all (then the fewest vCPUs, then the fewest instances): the planner has no prices,
/// and memory is what a multi-model endpoint buys. Candidates are ordered that way and searched
/// by bisection, taking the hit ratio to grow with total memory, so a handful of replays
/// decide among some hundred candidates.
/// </summary>
internal static class Recommender
{
    /// <summary>The choice, and every candidate replayed on the way (in the order replayed).</summary>
    /// <param name="models">The models.</param>
    /// <param name="requests">The trace.</param>
    /// <param name="policy">The eviction policy the instances run.</param>
    /// <param name="target">The hit ratio to reach.</param>
    /// <param name="profiles">The instance types to choose from.</param>
    /// <param name="maxInstances">At most this many instances.</param>
    /// <param name="modelShare">The share of an instance's memory its memory tier may use (serve's default: half).</param>
    /// <param name="replayed">Called after each replay.</param>
    public static (InstanceChoice? Choice, List<InstanceChoice> Tried) Recommend(IReadOnlyList<PlanModel> models, int[] requests, string policy, double target,
        IReadOnlyList<InstanceProfile> profiles, int maxInstances, double modelShare, Action<InstanceChoice>? replayed = null)
    {
        var candidates = profiles.SelectMany(p => Enumerable.Range(1, maxInstances).Select(n => (Profile: p, Count: n)))
            .OrderBy(c => c.Count * c.Profile.MemoryGiB).ThenBy(c => c.Count * c.Profile.VCpus).ThenBy(c => c.Count).ToList();
        var tried = new List<InstanceChoice>();
        InstanceChoice? best = null;
        int low = 0, high = candidates.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var (profile, count) = candidates[middle];
            var memory = (long)(profile.MemoryBytes * modelShare);
            var choice = new InstanceChoice(profile, count, memory, new CacheSimulation(models, policy, memory, count).Run(requests));
            tried.Add(choice);
            replayed?.Invoke(choice);
            if (choice.Result.HitRatio >= target)
            {
                best = choice;
                high = middle - 1;
            }
            else
            {
                low = middle + 1;
            }
        }

        return (best, tried);
    }
}
