using OpenMme.Runtime;

namespace OpenMme.TestSupport;

/// <summary>
/// Wraps a real runtime to observe it: counts loads, and records any model disposed while a
/// run is in flight (which must never happen).
/// </summary>
public sealed class TrackingRuntime(IModelRuntime inner) : IModelRuntime
{
    private int _loads;
    private int _loading;
    private int _maxLoading;
    private int _disposed;
    private int _disposedWhileRunning;

    public string Name => inner.Name;

    public int Loads => Volatile.Read(ref _loads);

    /// <summary>The most loads that ran at the same time.</summary>
    public int MaxConcurrentLoads => Volatile.Read(ref _maxLoading);

    public int Disposed => Volatile.Read(ref _disposed);

    public int DisposedWhileRunning => Volatile.Read(ref _disposedWhileRunning);

    public TimeSpan LoadDelay { get; set; }

    /// <summary>Raised with the model path as each load begins, before <see cref="LoadDelay"/>.</summary>
    public event Action<string>? Loading;

    /// <summary>When set, every load waits for it before creating its session: holds a load in progress for as long as a test needs.</summary>
    public Task? LoadGate { get; set; }

    /// <summary>Added to every run, to hold invocation slots in concurrency tests.</summary>
    public TimeSpan RunDelay { get; set; }

    public async ValueTask<ILoadedModel> LoadAsync(string modelPath, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        var loading = Interlocked.Increment(ref _loading);
        for (var seen = Volatile.Read(ref _maxLoading); loading > seen; seen = Volatile.Read(ref _maxLoading))
        {
            Interlocked.CompareExchange(ref _maxLoading, loading, seen);
        }

        try
        {
            Loading?.Invoke(modelPath);
            if (LoadGate is { } gate)
            {
                await gate.WaitAsync(cancellationToken);
            }

            if (LoadDelay > TimeSpan.Zero)
            {
                await Task.Delay(LoadDelay, cancellationToken);
            }

            return new TrackedModel(this, await inner.LoadAsync(modelPath, cancellationToken));
        }
        finally
        {
            Interlocked.Decrement(ref _loading);
        }
    }

    private sealed class TrackedModel(TrackingRuntime owner, ILoadedModel inner) : ILoadedModel
    {
        private int _running;
        private int _disposed;

        public ModelSignature Signature => inner.Signature;

        public TensorSet Run(TensorSet inputs)
        {
            Interlocked.Increment(ref _running);
            try
            {
                if (Volatile.Read(ref _disposed) != 0)
                {
                    Interlocked.Increment(ref owner._disposedWhileRunning);
                }

                if (owner.RunDelay > TimeSpan.Zero)
                {
                    Thread.Sleep(owner.RunDelay);
                }

                return inner.Run(inputs);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                if (Volatile.Read(ref _running) > 0)
                {
                    Interlocked.Increment(ref owner._disposedWhileRunning);
                }

                Interlocked.Increment(ref owner._disposed);
                inner.Dispose();
            }
        }
    }
}
