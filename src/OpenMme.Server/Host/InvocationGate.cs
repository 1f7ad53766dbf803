using System.Threading.RateLimiting;

namespace OpenMme.Host;

/// <summary>
/// The invocation concurrency limit: at most N invocations decode, run and encode at once, a
/// bounded queue waits, and what does not fit is refused at once (503 with Retry-After).
/// </summary>
internal sealed class InvocationGate(int permits, int queueLimit) : IDisposable
{
    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = permits,
        QueueLimit = queueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    public int Permits { get; } = permits;

    public int QueueLimit { get; } = queueLimit;

    /// <summary>A slot, or a lease with <c>IsAcquired</c> false when the queue is full.</summary>
    public ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) => _limiter.AcquireAsync(1, cancellationToken);

    public void Dispose() => _limiter.Dispose();
}
