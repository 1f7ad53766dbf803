using OpenMme.DiskTier;
using OpenMme.MemoryTier;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Store;
using OpenMme.Wire.Auth;

namespace OpenMme.Host;

/// <summary>Everything one model-host instance needs; validated before anything starts.</summary>
public sealed record ModelHostSettings
{
    /// <summary>Where models live: a folder, <c>file:///DIR/</c> or <c>s3://bucket/prefix/</c>.</summary>
    public string ModelSource { get; init; } = "models";

    /// <summary>
    /// The full path of the model folder when the source is on local disk (a folder or
    /// <c>file:///DIR/</c>); null for <c>s3://</c> and for a source that is not valid.
    /// </summary>
    public string? LocalModelFolder => !string.IsNullOrWhiteSpace(ModelSource) && TryLocalFolder(ModelSource, out var folder, out _) ? folder : null;

    /// <summary>How to reach an S3-compatible store, for <c>s3://</c> sources.</summary>
    public S3StoreOptions S3 { get; init; } = new();

    /// <summary>Address Kestrel binds (loopback by default: a laptop endpoint is not a public service).</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>Whether the runtime API verifies AWS SigV4 signatures, and with which keys.</summary>
    public RequestSigningSettings Signing { get; init; } = new();

    /// <summary>TCP port; 0 picks a free one.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Bytes the memory tier may hold.</summary>
    public long MemoryBudgetBytes { get; init; } = 1L << 30;

    /// <summary>Bytes the disk tier may hold; 0 for no limit.</summary>
    public long DiskBudgetBytes { get; init; }

    /// <summary>The instance's cache folder.</summary>
    public string CacheDirectory { get; init; } = Path.Combine(".openmme", "cache");

    /// <summary>SageMaker's ModelCacheSetting for this instance.</summary>
    public ModelCacheSetting ModelCache { get; init; } = ModelCacheSetting.Enabled;

    /// <summary>Loads running at once; null for the vCPU count, or four times it when the cache is disabled.</summary>
    public int? MaxConcurrentLoads { get; init; }

    /// <summary>The load concurrency in effect.</summary>
    public int EffectiveLoadConcurrency =>
        MaxConcurrentLoads ?? Math.Max(1, Environment.ProcessorCount) * (ModelCache == ModelCacheSetting.Disabled ? 4 : 1);

    /// <summary>How long a failed load of one artifact version is answered without trying again.</summary>
    public TimeSpan FailureMemory { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a load waits for loaded models to become idle when memory is full.</summary>
    public TimeSpan CapacityWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Invocations running at once (decode, run, encode); null for the vCPU count.</summary>
    public int? MaxConcurrentInvocations { get; init; }

    /// <summary>Invocations waiting for a slot; beyond it requests are refused at once with 503.</summary>
    public int InvocationQueueLimit { get; init; } = 512;

    /// <summary>How long an invocation waits for a cold load before 429 ModelNotReadyException.</summary>
    public TimeSpan InvocationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a load may take in all.</summary>
    public TimeSpan LoadTimeout { get; init; } = TimeSpan.FromSeconds(360);

    /// <summary>Eviction policy by name (<see cref="EvictionPolicies.Names"/>).</summary>
    public string EvictionPolicy { get; init; } = EvictionPolicies.Default;

    /// <summary>
    /// Resident memory allowed on top of the memory budget before the watchdog evicts idle
    /// models; null for what the process holds at start-up plus 128 MiB.
    /// </summary>
    public long? MemoryOverheadBytes { get; init; }

    /// <summary>How often the watchdog reads resident memory.</summary>
    public TimeSpan WatchdogInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>On shutdown, how long <c>/ping</c> answers 503 while requests are still served, before the listener closes.</summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Logs as JSON lines instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Where to write the access log (a JSON line per request the memory tier answers), or null for none.</summary>
    public string? AccessLogPath { get; init; }

    /// <summary>The invocation concurrency in effect.</summary>
    public int EffectiveInvocationConcurrency => MaxConcurrentInvocations ?? Math.Max(1, Environment.ProcessorCount);

    /// <summary>Caps for unpacking archives.</summary>
    public ArchiveLimits Archive { get; init; } = ArchiveLimits.Default;

    /// <summary>Threads per model run.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Runtime API and wire settings.</summary>
    public ModelHostOptions Http { get; init; } = new();

    /// <summary>Every setting that is wrong, with what would be right; empty when all are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ModelSource))
        {
            problems.Add("--models is empty: give a folder, file:///DIR/ or s3://bucket/prefix/.");
        }
        else if (!ModelSource.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            if (!TryLocalFolder(ModelSource, out var folder, out var error))
            {
                problems.Add($"--models {error}");
            }
            else if (!Directory.Exists(folder))
            {
                // A mistyped folder would otherwise start an endpoint that answers every request with 400.
                problems.Add($"--models {ModelSource}: the folder {folder} does not exist. Create it and put model artifacts (.onnx, .tar.gz) in it, "
                    + "or name the folder that holds them.");
            }
        }

        if (Port is < 0 or > 65535)
        {
            problems.Add($"--port {Port} is not a TCP port: use 1-65535, or 0 for any free port.");
        }

        if (MemoryBudgetBytes <= 0)
        {
            problems.Add($"--memory-budget {MemoryBudgetBytes} must be positive, e.g. 512MB, 2GiB or 60%.");
        }

        if (DiskBudgetBytes < 0)
        {
            problems.Add($"--disk-budget {DiskBudgetBytes} must be positive (or 0 for no limit), e.g. 10GB.");
        }

        if (AccessLogPath is not null && (string.IsNullOrWhiteSpace(AccessLogPath) || Directory.Exists(AccessLogPath)
            || Path.GetDirectoryName(Path.GetFullPath(AccessLogPath)) is not { } logFolder || !Directory.Exists(logFolder)))
        {
            problems.Add($"--access-log '{AccessLogPath}' is not a file that can be written: name a file in a folder that exists, e.g. access.jsonl.");
        }

        if (string.IsNullOrWhiteSpace(CacheDirectory))
        {
            problems.Add("--cache-dir is empty: give a folder for the disk tier.");
        }

        if (MaxConcurrentLoads is < 1)
        {
            problems.Add($"The load concurrency {MaxConcurrentLoads} must be at least 1.");
        }

        if (IntraOpThreads < 1)
        {
            problems.Add($"The intra-op thread count {IntraOpThreads} must be at least 1.");
        }

        if (MaxConcurrentInvocations is < 1)
        {
            problems.Add($"--max-concurrency {MaxConcurrentInvocations} must be at least 1.");
        }

        if (InvocationQueueLimit < 0)
        {
            problems.Add($"--queue-limit {InvocationQueueLimit} must be 0 or more.");
        }

        if (InvocationTimeout <= TimeSpan.Zero || LoadTimeout <= TimeSpan.Zero)
        {
            problems.Add("--invocation-timeout and --load-timeout must be positive, e.g. 60s and 360s.");
        }

        if (!EvictionPolicies.IsKnown(EvictionPolicy))
        {
            problems.Add($"--eviction-policy '{EvictionPolicy}' is not a policy; use one of {EvictionPolicies.Names}.");
        }

        problems.AddRange(Signing.Validate(ListenAddress));
        if (Http.MaxBodyBytes < 1)
        {
            problems.Add($"The body limit {Http.MaxBodyBytes} must be positive.");
        }

        return problems;
    }

    private static bool TryLocalFolder(string source, out string folder, out string error)
    {
        folder = string.Empty;
        error = $"'{source}' is not a local folder.";
        if (source.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            // Opening an S3 store builds a client, and a bucket is no folder to look for.
            return false;
        }

        try
        {
            if (ModelStores.Open(source) is LocalFolderStore local)
            {
                folder = local.Root;
                return true;
            }
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            // Said here in the option's terms, without the exception's "(Parameter 'source')".
            error = $"'{source}' is not a model source: use a folder, file:///DIR/ or s3://bucket/prefix/.";
        }

        return false;
    }
}
