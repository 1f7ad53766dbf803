namespace OpenMme.Host;

/// <summary>
/// What the instance is doing as a whole: whether it is draining for shutdown (then <c>/ping</c>
/// answers 503) and how many HTTP requests are in flight, which the drain reports.
/// </summary>
internal sealed class InstanceState
{
    private int _draining;
    private long _requestsInFlight;

    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    public long RequestsInFlight => Interlocked.Read(ref _requestsInFlight);

    public void StartDraining() => Volatile.Write(ref _draining, 1);

    /// <summary>Middleware that counts requests in flight; it allocates only for requests that complete asynchronously.</summary>
    public RequestDelegate CountRequests(RequestDelegate next) => context =>
    {
        Interlocked.Increment(ref _requestsInFlight);
        Task task;
        try
        {
            task = next(context);
        }
        catch
        {
            Interlocked.Decrement(ref _requestsInFlight);
            throw;
        }

        if (task.IsCompleted)
        {
            Interlocked.Decrement(ref _requestsInFlight);
            return task;
        }

        return CountWhenDoneAsync(task);
    };

    private async Task CountWhenDoneAsync(Task request)
    {
        try
        {
            await request.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _requestsInFlight);
        }
    }
}
