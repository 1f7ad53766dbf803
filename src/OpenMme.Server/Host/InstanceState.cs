namespace OpenMme.Host;

/// <summary>Whether the instance is draining for shutdown (then <c>/ping</c> answers 503).</summary>
internal sealed class InstanceState
{
    private int _draining;

    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    public void StartDraining() => Volatile.Write(ref _draining, 1);
}
