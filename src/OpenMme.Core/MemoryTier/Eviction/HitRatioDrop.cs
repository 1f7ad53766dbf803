namespace OpenMme.MemoryTier.Eviction;

/// <summary>
/// Notices when the models asked for changed at once: the hit ratio of a short sample of requests
/// falls far below the running mean of the samples before it. Counts earned before such a change
/// point at models nobody asks for any more, and halving them once per aging period takes several
/// periods to bring a count of thousands below the counts the new models earn, while an LRU cache
/// has already replaced its models; a policy that learns of the change can forget them at once.
/// A sample is short (a hundred requests or a few hundred) so the change is seen while it costs;
/// the drop it takes is wide (several standard deviations of a sample's hit ratio) so stationary
/// traffic does not trip it. Not thread-safe: the policy that owns it calls it under the budget's lock.
/// </summary>
internal sealed class HitRatioDrop
{
    /// <summary>Requests in a sample at least.</summary>
    public const int MinimumSample = 128;

    /// <summary>
    /// How far below the running mean a sample's hit ratio must fall: 4.5 standard deviations of a
    /// sample of 128 requests at worst (0.044, at a hit ratio of 0.5), so stationary traffic does not
    /// reach it (the Zipf plans of docs/benchmarks.md came out the same as without it), while a
    /// complete reshuffle of popularity drops the hit ratio by 0.3 or more.
    /// </summary>
    public const double Drop = 0.2;

    /// <summary>The weight of the newest sample in the running mean.</summary>
    private const double MeanWeight = 0.25;

    private long _sampleStart = -1;
    private long _missesInSample;
    private double _mean = double.NaN;

    /// <summary>The mean hit ratio of the recent samples; NaN before the first.</summary>
    public double Mean => _mean;

    /// <summary>A request missed (the model was loaded).</summary>
    public void Miss() => _missesInSample++;

    /// <summary>
    /// Closes the sample once <paramref name="sampleSize"/> requests passed since it began; true when
    /// its hit ratio fell <see cref="Drop"/> below the mean. After a drop the mean starts again from
    /// that sample, so one change is reported once.
    /// </summary>
    /// <param name="requests">Requests answered so far (the policy's clock).</param>
    /// <param name="sampleSize">Requests in a sample (at least <see cref="MinimumSample"/> are taken).</param>
    public bool Dropped(long requests, int sampleSize)
    {
        if (_sampleStart < 0)
        {
            // The first call comes when memory is first full: samples start there, not during the cold fill.
            Restart(requests);
            return false;
        }

        var length = requests - _sampleStart;
        if (length < Math.Max(sampleSize, MinimumSample))
        {
            return false;
        }

        var hitRatio = 1 - ((double)Math.Min(_missesInSample, length) / length);
        Restart(requests);
        if (double.IsNaN(_mean))
        {
            _mean = hitRatio;
            return false;
        }

        if (hitRatio < _mean - Drop)
        {
            _mean = hitRatio;
            return true;
        }

        _mean += MeanWeight * (hitRatio - _mean);
        return false;
    }

    private void Restart(long requests)
    {
        _sampleStart = requests;
        _missesInSample = 0;
    }
}
