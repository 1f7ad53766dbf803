using Microsoft.Extensions.Logging;
using OpenMme.Failures;
using OpenMme.MemoryTier.Eviction;

namespace OpenMme.MemoryTier;

/// <summary>Room in the byte budget: reservations, eviction in policy order, waiting for idle models, unloading.</summary>
public sealed partial class ModelCache
{
    private long _evictions;
    private long _unloads;

    /// <summary>
    /// Evicts idle models until about <paramref name="bytes"/> are freed (RSS watchdog). Returns
    /// the bytes the evicted models were accounted at.
    /// </summary>
    public long EvictForMemoryPressure(long bytes, string reason)
    {
        var evicted = new List<EvictionEntry>();
        long freed;
        lock (_budget.Sync)
        {
            freed = _resident.Evict(bytes, evicted);
            Forget(evicted);
        }

        foreach (CachedModel victim in evicted)
        {
            Evicted(victim, reason);
            DisposeModel(victim);
        }

        if (evicted.Count > 0)
        {
            _budget.Signal();
        }

        return freed;
    }

    /// <summary>Accounts <paramref name="bytes"/> for a load, evicting idle models for room, or waiting for one to become idle.</summary>
    private async Task ReserveAsync(string name, string? requestId, long bytes, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var evicted = new List<EvictionEntry>();
        while (true)
        {
            evicted.Clear();
            bool reserved;
            var changed = _budget.BeginWait();
            try
            {
                lock (_budget.Sync)
                {
                    reserved = _resident.TryReserve(bytes, evicted);
                    Forget(evicted);
                }

                foreach (CachedModel victim in evicted)
                {
                    Evicted(victim, "memory", requestId);
                    DisposeModel(victim);
                }

                if (reserved)
                {
                    return;
                }

                var remaining = _options.CapacityWait - _time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    throw new ModelHostException(FailureKind.InsufficientMemory,
                        $"Model '{name}' cannot be loaded: every loaded model is in use or pinned and the memory budget of {_options.BudgetBytes} bytes is full.");
                }

                await changed.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Loop once more: the budget check above turns a timeout into a clear error.
            }
            finally
            {
                _budget.EndWait();
            }
        }
    }

    /// <summary>Moves a reservation from the estimate to the size known after staging.</summary>
    private async Task<long> ResizeReservationAsync(string name, string? requestId, long reserved, long needed, CancellationToken cancellationToken)
    {
        if (needed > reserved)
        {
            CheckFits(name, needed);
            await ReserveAsync(name, requestId, needed - reserved, cancellationToken).ConfigureAwait(false);
        }
        else if (needed < reserved)
        {
            _budget.Release(reserved - needed);
        }

        return needed;
    }

    /// <summary>Accounts a loaded model at <paramref name="bytes"/> from now on, evicting idle models if that overran the budget.</summary>
    private void Reaccount(CachedModel entry, long bytes)
    {
        long change;
        lock (_budget.Sync)
        {
            // An entry already evicted has given its bytes back; it keeps the figure it gave back.
            if (!entry.IsLive)
            {
                return;
            }

            change = bytes - entry.Bytes;
            _resident.Resize(entry, bytes);
        }

        if (change < 0)
        {
            _budget.Signal();
        }

        var excess = _budget.Accounted - _options.BudgetBytes;
        if (excess > 0)
        {
            EvictForMemoryPressure(excess, "memory");
        }
    }

    /// <summary>Takes models the policy evicted out of the name map. Caller holds the budget lock.</summary>
    private void Forget(List<EvictionEntry> evicted)
    {
        foreach (CachedModel victim in evicted)
        {
            _models.TryRemove(new KeyValuePair<string, CachedModel>(victim.Name, victim));
        }
    }

    private void Evicted(CachedModel entry, string reason, string? requestId = null)
    {
        Interlocked.Increment(ref reason == "unload" ? ref _unloads : ref _evictions);
        entry.Statistics.Evicted();
        _metrics.Evictions.Add(1, new KeyValuePair<string, object?>("reason", reason));
        LogEvicted(entry.Name, reason, entry.Bytes, requestId ?? NoRequest);
    }

    /// <summary>Disposes an evicted model and returns its bytes to the budget.</summary>
    private void Dispose(CachedModel entry)
    {
        DisposeModel(entry);

        // Read under the lock: a footprint settling concurrently changes the figure under it too.
        lock (_budget.Sync)
        {
            _resident.Release(entry);
        }

        _budget.Signal();
    }

    private void DisposeModel(CachedModel entry)
    {
        var started = _time.GetTimestamp();
        entry.DisposeModel();
        NativeMemory.TrimSoon(_time);
        _metrics.ModelUnloadingTime.Record(_time.GetElapsedTime(started).TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted {Model} ({Reason}, {Bytes} bytes, request {RequestId})")]
    private partial void LogEvicted(string model, string reason, long bytes, string requestId);
}
