namespace OpenMme.MemoryTier;

/// <summary>
/// The memory tier's byte budget: bytes accounted against a capacity, and a signal that wakes the
/// loads waiting for room whenever bytes are released or a model becomes idle (evictable).
/// </summary>
/// <remarks>
/// A waiter registers (<see cref="BeginWait"/>) before it looks for room, under <see cref="Sync"/>.
/// Whoever frees room or idles a model does so before calling <see cref="Signal"/>, which reads
/// the waiter count. So either the waiter's look sees the freed room, or the signal sees the
/// waiter and completes the very task it waits on: no wake-up is lost.
/// </remarks>
internal sealed class MemoryBudget(long capacity)
{
    private long _accounted;
    private int _waiters;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Held while choosing victims and reserving, so that the two are one step.</summary>
    public Lock Sync { get; } = new();

    public long Capacity { get; } = capacity;

    public long Accounted => Interlocked.Read(ref _accounted);

    /// <summary>True when <paramref name="bytes"/> more fit. Caller holds <see cref="Sync"/>.</summary>
    public bool Fits(long bytes) => Interlocked.Read(ref _accounted) + bytes <= Capacity;

    /// <summary>Accounts bytes (negative: releases them without a signal). Caller holds <see cref="Sync"/>.</summary>
    public void Add(long bytes) => Interlocked.Add(ref _accounted, bytes);

    /// <summary>Registers a waiter and returns the task the next signal completes. Call before looking for room; end with <see cref="EndWait"/>.</summary>
    public Task BeginWait()
    {
        Interlocked.Increment(ref _waiters);
        return Volatile.Read(ref _changed).Task;
    }

    public void EndWait() => Interlocked.Decrement(ref _waiters);

    /// <summary>Releases accounted bytes and wakes the waiters.</summary>
    public void Release(long bytes)
    {
        lock (Sync)
        {
            Interlocked.Add(ref _accounted, -bytes);
        }

        Signal();
    }

    /// <summary>Wakes the waiters, if any: room was freed or a model became idle.</summary>
    public void Signal()
    {
        if (Volatile.Read(ref _waiters) > 0)
        {
            Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
