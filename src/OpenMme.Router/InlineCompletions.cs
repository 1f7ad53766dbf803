namespace OpenMme.Router;

/// <summary>
/// Runs socket completions on the thread that saw them ready instead of queueing them to the
/// thread pool. A forwarded request is two socket exchanges whose work in between is a few
/// microseconds of header copying; handing each completion to another thread costs a wake-up and
/// a context switch apiece, more than the work itself on a small machine. The runtime reads the
/// switch once, when the first socket is used, from the environment, so a process that routes
/// calls <see cref="Enable"/> before it opens any socket. Only for processes whose code on sockets
/// never blocks: not for instances, whose requests run models.
/// </summary>
public static class InlineCompletions
{
    /// <summary>The runtime's switch (System.Net.Sockets).</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on for this process; children started later must not inherit it (see <see cref="Variable"/>).</summary>
    public static void Enable() => Environment.SetEnvironmentVariable(Variable, "1");
}
