using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;

namespace OpenMme.Router;

/// <summary>
/// One instance of the fleet as the router sees it: its address, health, the models it is known
/// to hold in memory, and the requests in flight on it, per model. Everything here can be
/// rebuilt from the instances themselves (their answers and <c>GET /models</c>).
/// </summary>
public sealed class FleetInstance
{
    private readonly ConcurrentDictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _loaded = new(StringComparer.Ordinal);
    private int _healthy;
    private int _failures;
    private long _total;

    /// <param name="address">Base address of the instance.</param>
    /// <param name="healthy">
    /// Whether it takes requests before its first check; a member found at run time waits for
    /// its first <c>/ping</c>, so a name listed before its process is up gets no requests.
    /// </param>
    public FleetInstance(Uri address, bool healthy = false)
    {
        _healthy = healthy ? 1 : 0;
        Address = address;
        Id = address.Authority;
        Seed = (long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(Id));
    }

    /// <summary>Base address, e.g. <c>http://127.0.0.2:8080/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The instance's name in placement, metrics and headers: host and port.</summary>
    public string Id { get; }

    /// <summary>The instance's seed in rendezvous hashing, from its <see cref="Id"/> alone, so every router agrees.</summary>
    public long Seed { get; }

    /// <summary>Whether the instance takes requests (health checks and failed deliveries decide).</summary>
    public bool IsHealthy => Volatile.Read(ref _healthy) == 1;

    /// <summary>Requests in flight on the instance, all models.</summary>
    public long InFlightTotal => Volatile.Read(ref _total);

    /// <summary>Models the instance is known to hold in memory.</summary>
    public ICollection<string> LoadedModels => _loaded.Keys;

    /// <summary>Whether the instance is known to hold <paramref name="model"/> in memory.</summary>
    public bool Holds(string model) => _loaded.ContainsKey(model);

    /// <summary>Requests for <paramref name="model"/> in flight on the instance.</summary>
    public int InFlightFor(string model) => _inFlight.TryGetValue(model, out var count) ? Volatile.Read(ref count.Value) : 0;

    /// <summary>Counts a request for <paramref name="model"/> until the returned scope is disposed.</summary>
    public InFlightScope Enter(string model)
    {
        var count = _inFlight.GetOrAdd(model, static _ => new InFlight());
        Interlocked.Increment(ref count.Value);
        Interlocked.Increment(ref _total);
        return new InFlightScope(this, count);
    }

    /// <summary>The instance answered <paramref name="model"/>: it holds it now.</summary>
    public void Loaded(string model) => _loaded.TryAdd(model, 0);

    /// <summary>The instance no longer holds <paramref name="model"/> (unloaded through the router).</summary>
    public void Unloaded(string model) => _loaded.TryRemove(model, out _);

    /// <summary>Replaces what the instance holds with its own list (<c>GET /models</c>).</summary>
    public void Holding(IReadOnlySet<string> models)
    {
        foreach (var model in _loaded.Keys)
        {
            if (!models.Contains(model))
            {
                _loaded.TryRemove(model, out _);
            }
        }

        foreach (var model in models)
        {
            _loaded.TryAdd(model, 0);
        }
    }

    /// <summary>A health check or a request reached the instance; returns true when it was unhealthy before.</summary>
    public bool Succeeded()
    {
        Volatile.Write(ref _failures, 0);
        return Interlocked.Exchange(ref _healthy, 1) == 0;
    }

    /// <summary>
    /// A health check failed, or a request could not be delivered (<paramref name="delivery"/>: it
    /// leaves at once). Returns true when this took the instance out of the set.
    /// </summary>
    public bool Failed(int unhealthyAfter, bool delivery)
    {
        var failures = Interlocked.Increment(ref _failures);
        return (delivery || failures >= unhealthyAfter) && Interlocked.Exchange(ref _healthy, 0) == 1;
    }

    public override string ToString() => Id;

    /// <summary>A boxed counter, so the dictionary entry can be counted without a lookup per change.</summary>
    public sealed class InFlight
    {
        public int Value;
    }

    /// <summary>One request in flight; disposing it ends the count.</summary>
    public readonly struct InFlightScope(FleetInstance instance, InFlight count) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.Decrement(ref count.Value);
            Interlocked.Decrement(ref instance._total);
        }
    }
}
