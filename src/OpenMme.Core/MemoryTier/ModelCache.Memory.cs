using Microsoft.Extensions.Logging;
using OpenMme.Failures;

namespace OpenMme.MemoryTier;

/// <summary>The byte budget: reservations, eviction in policy order, waiting for idle models, unloading.</summary>
public sealed partial class ModelCache
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(50);

    private readonly Lock _budgetLock = new();
    private TaskCompletionSource _idleSignal = NewSignal();
    private int _capacityWaiters;
    private long _accountedBytes;
    private long _evictions;
    private long _unloads;

    /// <summary>
    /// Evicts idle models until about <paramref name="bytes"/> are freed (RSS watchdog). Returns
    /// the bytes the evicted models were accounted at.
    /// </summary>
    public long EvictForMemoryPressure(long bytes, string reason)
    {
        long freed = 0;
        var evicted = new List<CachedModel>();
        lock (_budgetLock)
        {
            while (freed < bytes && TryEvictIdle(out var victim))
            {
                freed += victim.Bytes;
                evicted.Add(victim);
            }
        }

        foreach (var victim in evicted)
        {
            Evicted(victim, reason);
            Dispose(victim);
        }

        return freed;
    }

    private async Task ReserveAsync(string name, string? requestId, long bytes)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            Task idle;
            List<CachedModel>? evicted = null;
            lock (_budgetLock)
            {
                while (_accountedBytes + bytes > _options.BudgetBytes && TryEvictIdle(out var victim))
                {
                    _accountedBytes -= victim.Bytes;
                    (evicted ??= []).Add(victim);
                }

                if (_accountedBytes + bytes <= _options.BudgetBytes)
                {
                    _accountedBytes += bytes;
                    idle = Task.CompletedTask;
                }
                else
                {
                    Interlocked.Increment(ref _capacityWaiters);
                    idle = Volatile.Read(ref _idleSignal).Task;
                }
            }

            if (evicted is not null)
            {
                foreach (var victim in evicted)
                {
                    Evicted(victim, "memory", requestId);
                    DisposeModel(victim);
                }
            }

            if (idle.IsCompleted)
            {
                return;
            }

            try
            {
                var remaining = _options.CapacityWait - _time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    throw new ModelHostException(FailureKind.InsufficientMemory,
                        $"Model '{name}' cannot be loaded: every loaded model is in use or pinned and the memory budget of {_options.BudgetBytes} bytes is full.");
                }

                // The poll bounds a wake-up missed between the budget check and a release.
                await idle.WaitAsync(remaining < IdlePoll ? remaining : IdlePoll).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Loop once more: the budget check above turns a timeout into a clear error.
            }
            finally
            {
                Interlocked.Decrement(ref _capacityWaiters);
            }
        }
    }

    /// <summary>Moves a reservation from the estimate to the size known after staging.</summary>
    private async Task<long> ResizeReservationAsync(string name, string? requestId, long reserved, long needed)
    {
        if (needed > reserved)
        {
            CheckFits(name, needed);
            await ReserveAsync(name, requestId, needed - reserved).ConfigureAwait(false);
        }
        else if (needed < reserved)
        {
            Unaccount(reserved - needed);
        }

        return needed;
    }

    /// <summary>Replaces a loaded model's reservation with its measured footprint, evicting idle models if that overran the budget.</summary>
    private long AdjustLoaded(long reserved, long measured)
    {
        if (measured < reserved)
        {
            Unaccount(reserved - measured);
            return measured;
        }

        lock (_budgetLock)
        {
            _accountedBytes += measured - reserved;
        }

        var excess = Interlocked.Read(ref _accountedBytes) - _options.BudgetBytes;
        if (excess > 0)
        {
            EvictForMemoryPressure(excess, "memory");
        }

        return measured;
    }

    /// <summary>Takes the idle, unpinned model the policy ranks lowest out of the cache. Caller holds the budget lock and unaccounts.</summary>
    private bool TryEvictIdle(out CachedModel victim)
    {
        while (true)
        {
            CachedModel? lowest = null;
            var lowestPriority = double.MaxValue;
            foreach (var entry in _models.Values)
            {
                if (entry.References != 0 || entry.IsPinned)
                {
                    continue;
                }

                var priority = _policy.Priority(entry.Candidate);
                if (lowest is null || priority < lowestPriority)
                {
                    lowest = entry;
                    lowestPriority = priority;
                }
            }

            if (lowest is null)
            {
                victim = null!;
                return false;
            }

            if (lowest.TryBeginEviction())
            {
                _models.TryRemove(new KeyValuePair<string, CachedModel>(lowest.Name, lowest));
                _policy.Evicted(lowestPriority);
                victim = lowest;
                return true;
            }
        }
    }

    private void Evicted(CachedModel entry, string reason, string? requestId = null)
    {
        Interlocked.Increment(ref reason == "unload" ? ref _unloads : ref _evictions);
        entry.Statistics.Evicted();
        _metrics.Evictions.Add(1, new KeyValuePair<string, object?>("reason", reason));
        LogEvicted(entry.Name, reason, entry.Bytes, requestId);
    }

    /// <summary>Disposes an evicted model and returns its bytes to the budget.</summary>
    private void Dispose(CachedModel entry)
    {
        DisposeModel(entry);
        Unaccount(entry.Bytes);
    }

    private void DisposeModel(CachedModel entry)
    {
        var started = _time.GetTimestamp();
        entry.Model.Dispose();
        NativeMemory.Trim();
        _metrics.ModelUnloadingTime.Record(_time.GetElapsedTime(started).TotalSeconds);
    }

    private void Unaccount(long bytes)
    {
        lock (_budgetLock)
        {
            _accountedBytes -= bytes;
        }

        SignalIdle();
    }

    private void SignalIdle()
    {
        if (Volatile.Read(ref _capacityWaiters) > 0)
        {
            Interlocked.Exchange(ref _idleSignal, NewSignal()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evicted {Model} ({Reason}, {Bytes} bytes, request {RequestId})")]
    private partial void LogEvicted(string model, string reason, long bytes, string? requestId);
}
