using System.IO.Hashing;
using System.Text;

namespace OpenMme.Router;

/// <summary>How a request for a model chooses its instance.</summary>
public enum PlacementPolicy
{
    /// <summary>
    /// Rendezvous (highest-random-weight) hashing of the model over the healthy instances gives
    /// every model a preference order that all routers compute alike; a request goes to the first
    /// instance in that order that holds the model and is under the spill threshold, else to the
    /// first under it (the home, or the next when the home is busy with the model: a spill).
    /// </summary>
    Rendezvous,

    /// <summary>Any healthy instance, uniformly: the baseline placement is measured against.</summary>
    Random,
}

/// <summary>Why a request went where it went.</summary>
public enum RouteReason
{
    /// <summary>The model's home: the first instance in its preference order.</summary>
    Home,

    /// <summary>An instance that holds the model in memory, other than its home.</summary>
    Sticky,

    /// <summary>The next instance in preference order, because those before it had the spill threshold of the model in flight.</summary>
    Spill,

    /// <summary>Chosen at random (the <see cref="PlacementPolicy.Random"/> policy).</summary>
    Random,
}

/// <summary>One choice of instance for one request.</summary>
public readonly record struct Route(FleetInstance Instance, RouteReason Reason);

/// <summary>Chooses instances for models. Stateless: what it reads lives in <see cref="FleetInstance"/>.</summary>
public sealed class Placement(PlacementPolicy policy, int spillThreshold)
{
    /// <summary>The policy in use.</summary>
    public PlacementPolicy Policy { get; } = policy;

    /// <summary>Requests of one model in flight on one instance at which the next request goes further down the order; 0 turns spilling off.</summary>
    public int SpillThreshold { get; } = spillThreshold;

    /// <summary>
    /// The model's preference order over <paramref name="instances"/>: by descending
    /// XxHash64(model, seed of the instance). Adding or removing one of N instances moves only the
    /// models whose first choice it is or becomes, about 1/N of them.
    /// </summary>
    public static FleetInstance[] Rank(string model, IReadOnlyList<FleetInstance> instances)
    {
        // Model keys are at most 1024 characters: the UTF-8 name fits on the stack.
        var byteCount = Encoding.UTF8.GetMaxByteCount(model.Length);
        Span<byte> name = byteCount <= 4096 ? stackalloc byte[byteCount] : new byte[byteCount];
        name = name[..Encoding.UTF8.GetBytes(model, name)];
        var order = new FleetInstance[instances.Count];
        Span<ulong> scores = instances.Count <= 256 ? stackalloc ulong[instances.Count] : new ulong[instances.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = instances[i];

            // Inverted, so an ascending sort puts the highest score first.
            scores[i] = ~XxHash64.HashToUInt64(name, instances[i].Seed);
        }

        scores.Sort(order.AsSpan());
        return order;
    }

    /// <summary>The model's home among <paramref name="instances"/>, or null when there are none.</summary>
    public static FleetInstance? Home(string model, IReadOnlyList<FleetInstance> instances) =>
        instances.Count == 0 ? null : Rank(model, instances)[0];

    /// <summary>
    /// Chooses an instance of <paramref name="healthy"/> not in <paramref name="tried"/> for a request
    /// of <paramref name="model"/>; null when none is left.
    /// </summary>
    public Route? Choose(string model, IReadOnlyList<FleetInstance> healthy, IReadOnlyCollection<FleetInstance>? tried = null)
    {
        if (Policy == PlacementPolicy.Random)
        {
            var left = tried is null || tried.Count == 0 ? healthy : healthy.Where(i => !tried.Contains(i)).ToArray();
            return left.Count == 0 ? null : new Route(left[Random.Shared.Next(left.Count)], RouteReason.Random);
        }

        var order = Rank(model, healthy);
        Route? first = null;
        FleetInstance? leastBusy = null;
        var position = 0;
        var sawBusy = false;
        foreach (var instance in order)
        {
            if (tried is not null && tried.Contains(instance))
            {
                continue;
            }

            var inFlight = instance.InFlightFor(model);
            var busy = SpillThreshold > 0 && inFlight >= SpillThreshold;
            if (!busy)
            {
                var reason = position == 0 ? RouteReason.Home : sawBusy ? RouteReason.Spill : RouteReason.Sticky;
                if (instance.Holds(model))
                {
                    return new Route(instance, reason);
                }

                // Not loaded here: taken only if no instance further down holds the model.
                first ??= new Route(instance, position == 0 ? RouteReason.Home : RouteReason.Spill);
            }

            sawBusy |= busy;
            if (leastBusy is null || inFlight < leastBusy.InFlightFor(model))
            {
                leastBusy = instance;
            }

            position++;
        }

        // Every instance has the threshold in flight: the least busy one, so the excess spreads;
        // when that is still the first choice (one instance, say) nothing spilled.
        return first ?? (leastBusy is null ? null : new Route(leastBusy, leastBusy == FirstUntried(order, tried) ? RouteReason.Home : RouteReason.Spill));
    }

    private static FleetInstance? FirstUntried(FleetInstance[] order, IReadOnlyCollection<FleetInstance>? tried)
    {
        foreach (var instance in order)
        {
            if (tried is null || !tried.Contains(instance))
            {
                return instance;
            }
        }

        return null;
    }
}
