using OpenMme.Wire.Auth;

namespace OpenMme.Cli.Bench;

/// <summary>How a benchmark loads its target.</summary>
/// <param name="Connections">Closed loop: concurrent connections; open loop: the connection pool's size.</param>
/// <param name="Rate">Open loop: requests per second at fixed intervals; null for closed loop.</param>
/// <param name="Warmup">Unmeasured warm-up (skipped for finite traces).</param>
/// <param name="Duration">Upper bound of the measured phase.</param>
/// <param name="MaxRequests">Upper bound of requests per phase.</param>
/// <param name="MaxInFlight">Open loop: requests outstanding at most; more are counted as dropped by the client.</param>
/// <param name="Signer">Signs every request (AWS SigV4); null: unsigned.</param>
internal sealed record LoadOptions(int Connections, double? Rate, TimeSpan Warmup, TimeSpan Duration, long MaxRequests, int MaxInFlight, SigV4Signer? Signer = null);
