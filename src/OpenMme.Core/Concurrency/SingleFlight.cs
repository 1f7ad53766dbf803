using System.Collections.Concurrent;

namespace OpenMme.Concurrency;

/// <summary>
/// One running task per key, shared by every caller that asks while it runs. The work runs
/// without the callers' cancellation tokens: one caller giving up must not cancel the others.
/// </summary>
internal sealed class SingleFlight<TKey, TValue> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TValue>> _running = new();

    public int Count => _running.Count;

    public Task<TValue> RunAsync<TState>(TKey key, TState state, Func<TKey, TState, Task<TValue>> work)
    {
        while (true)
        {
            if (_running.TryGetValue(key, out var existing))
            {
                return existing;
            }

            var completion = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_running.TryAdd(key, completion.Task))
            {
                _ = ExecuteAsync(key, state, work, completion);
                return completion.Task;
            }
        }
    }

    public bool IsRunning(TKey key) => _running.ContainsKey(key);

    private async Task ExecuteAsync<TState>(TKey key, TState state, Func<TKey, TState, Task<TValue>> work, TaskCompletionSource<TValue> completion)
    {
        try
        {
            var value = await work(key, state).ConfigureAwait(false);
            _running.TryRemove(new KeyValuePair<TKey, Task<TValue>>(key, completion.Task));
            completion.SetResult(value);
        }
        catch (Exception e)
        {
            _running.TryRemove(new KeyValuePair<TKey, Task<TValue>>(key, completion.Task));
            completion.SetException(e);
        }
    }
}
