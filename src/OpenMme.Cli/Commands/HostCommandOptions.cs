using System.CommandLine;
using System.Globalization;
using OpenMme.Configuration;
using OpenMme.Host;
using OpenMme.MemoryTier;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Store;
using OpenMme.Wire.Auth;

namespace OpenMme.Cli.Commands;

/// <summary>
/// The options of one model-host instance, shared by <c>serve</c> (its one instance, or the
/// template of its children) and <c>host</c>, and the settings they make.
/// </summary>
internal sealed class HostCommandOptions
{
    public HostCommandOptions()
    {
        Models = new Option<string>("--models")
        {
            HelpName = "source",
            Description = "Model source: a folder, file:///DIR/ or s3://bucket/prefix/. A folder named here must exist; the default one is created.",
            DefaultValueFactory = _ => "models",
        };
        Port = new Option<int>("--port") { Description = "TCP port (0: any free port).", DefaultValueFactory = _ => 8080, CustomParser = OptionParsers.Int };
        Host = new Option<string>("--host") { HelpName = "address", Description = "Address to listen on (0.0.0.0 in a container).", DefaultValueFactory = _ => "127.0.0.1" };
        Memory = new Option<string>("--memory-budget") { HelpName = "size|percent", Description = "Memory for loaded models: a size (2GiB) or a share of the machine (60%).", DefaultValueFactory = _ => "50%" };
        Disk = new Option<string>("--disk-budget") { HelpName = "size", Description = "Disk for cached artifacts, e.g. 20GB.", DefaultValueFactory = _ => "10GiB" };
        CacheDir = new Option<string>("--cache-dir") { HelpName = "folder", Description = "Folder of the disk tier (survives restarts).", DefaultValueFactory = _ => Path.Combine(".openmme", "cache") };
        Endpoint = new Option<string>("--endpoint-name") { HelpName = "name", Description = "Endpoint name of the runtime API (/endpoints/NAME/invocations).", DefaultValueFactory = _ => "local" };
        Variant = new Option<string>("--variant-name")
        {
            HelpName = "name",
            Description = "Production variant answered in x-Amzn-Invoked-Production-Variant.",
            DefaultValueFactory = _ => "AllTraffic",
        };
        ModelCache = new Option<ModelCacheSetting>("--model-cache")
        {
            Description = "Enabled (keep models while there is room) or Disabled (unload and delete after each invocation).",
            DefaultValueFactory = _ => ModelCacheSetting.Enabled,
        };
        S3Endpoint = new Option<string?>("--s3-endpoint") { HelpName = "url", Description = "Endpoint of an S3-compatible store (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or AWS)." };
        S3Region = new Option<string?>("--s3-region") { HelpName = "region", Description = "Region of the S3 store (default: AWS_REGION, AWS_DEFAULT_REGION, or us-east-1)." };
        Policy = new Option<string>("--eviction-policy")
        {
            Description = "Which idle model leaves memory first: lru, gdsf (cost-aware) or tinylfu (frequency, size and cost).",
            DefaultValueFactory = _ => EvictionPolicies.Default,
        };
        Policy.AcceptOnlyFromAmong([.. EvictionPolicies.All]);
        AccessLog = new Option<string?>("--access-log")
        {
            HelpName = "file",
            Description = "Write a JSON line per request the memory tier answers (time, model, bytes, outcome, loadSeconds), for openmme plan and bench to replay.",
        };
        MaxConcurrency = new Option<int?>("--max-concurrency") { HelpName = "count", Description = "Invocations running at once (default: vCPU count).", CustomParser = OptionParsers.OptionalInt };
        QueueLimit = new Option<int>("--queue-limit") { HelpName = "count", Description = "Invocations waiting for a slot before 503.", DefaultValueFactory = _ => 512, CustomParser = OptionParsers.Int };
        InvocationTimeout = new Option<double>("--invocation-timeout")
        {
            HelpName = "seconds",
            Description = "Seconds an invocation waits for a cold load before 429.",
            DefaultValueFactory = _ => 60,
            CustomParser = OptionParsers.Double,
        };
        LoadTimeout = new Option<double>("--load-timeout") { HelpName = "seconds", Description = "Seconds a load may take in all.", DefaultValueFactory = _ => 360, CustomParser = OptionParsers.Double };
        DrainDelay = new Option<double>("--drain-delay")
        {
            HelpName = "seconds",
            Description = "Seconds /ping answers 503 on shutdown before the listener closes.",
            DefaultValueFactory = _ => 5,
            CustomParser = OptionParsers.Double,
        };
        JsonLogs = new Option<bool>("--json-logs") { Description = "Write logs as JSON lines." };
        Signing = new SigningCommandOptions();
    }

    public Option<string> Models { get; }

    public Option<int> Port { get; }

    public Option<string> Host { get; }

    public Option<string> Memory { get; }

    public Option<string> Disk { get; }

    public Option<string> CacheDir { get; }

    public Option<string> Endpoint { get; }

    public Option<string> Variant { get; }

    public Option<ModelCacheSetting> ModelCache { get; }

    public Option<string?> S3Endpoint { get; }

    public Option<string?> S3Region { get; }

    public Option<string> Policy { get; }

    public Option<int?> MaxConcurrency { get; }

    public Option<int> QueueLimit { get; }

    public Option<double> InvocationTimeout { get; }

    public Option<double> LoadTimeout { get; }

    public Option<double> DrainDelay { get; }

    public Option<bool> JsonLogs { get; }

    public Option<string?> AccessLog { get; }

    public SigningCommandOptions Signing { get; }

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[Models, Port, Host, Memory, Disk, CacheDir, Endpoint, Variant, ModelCache, S3Endpoint, S3Region, Policy, MaxConcurrency, QueueLimit, InvocationTimeout, LoadTimeout, DrainDelay, JsonLogs, AccessLog])
        {
            command.Options.Add(option);
        }

        Signing.AddTo(command);
    }

    /// <summary>
    /// The settings the options give, checked, or null after writing what is wrong to
    /// <paramref name="errors"/>. The default model folder (or any, with <paramref name="createFolder"/>)
    /// is made; any other folder named by <c>--models</c> must exist, since a mistyped one would serve
    /// nothing and answer every request with 400.
    /// </summary>
    public async Task<ModelHostSettings?> BuildAsync(ParseResult result, TextWriter errors, bool createFolder = false)
    {
        if (!ByteSize.TryParse(result.GetValue(Memory), ByteSize.MachineMemory(), out var memoryBytes, out var error))
        {
            await errors.WriteLineAsync($"--memory-budget {error}").ConfigureAwait(false);
            return null;
        }

        if (!ByteSize.TryParse(result.GetValue(Disk), null, out var diskBytes, out error))
        {
            await errors.WriteLineAsync($"--disk-budget {error}").ConfigureAwait(false);
            return null;
        }

        var signing = await Signing.BuildAsync(result, errors).ConfigureAwait(false);
        if (signing is null)
        {
            return null;
        }

        var settings = new ModelHostSettings
        {
            Signing = signing,
            ModelSource = result.GetValue(Models)!,
            Port = result.GetValue(Port),
            ListenAddress = result.GetValue(Host)!,
            MemoryBudgetBytes = memoryBytes,
            DiskBudgetBytes = diskBytes,
            CacheDirectory = result.GetValue(CacheDir)!,
            ModelCache = result.GetValue(ModelCache),
            EvictionPolicy = result.GetValue(Policy)!,
            MaxConcurrentInvocations = result.GetValue(MaxConcurrency),
            InvocationQueueLimit = result.GetValue(QueueLimit),
            InvocationTimeout = TimeSpan.FromSeconds(result.GetValue(InvocationTimeout)),
            LoadTimeout = TimeSpan.FromSeconds(result.GetValue(LoadTimeout)),
            DrainDelay = TimeSpan.FromSeconds(result.GetValue(DrainDelay)),
            JsonLogs = result.GetValue(JsonLogs),
            AccessLogPath = result.GetValue(AccessLog),
            S3 = new S3StoreOptions { EndpointUrl = result.GetValue(S3Endpoint), Region = result.GetValue(S3Region) },
            Http = new ModelHostOptions(EndpointName: result.GetValue(Endpoint)!, VariantName: result.GetValue(Variant)!),
        };

        var modelsGiven = result.GetResult(Models) is { Implicit: false };
        if ((createFolder || !modelsGiven) && settings.LocalModelFolder is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var problems = settings.Validate();
        foreach (var problem in problems)
        {
            await errors.WriteLineAsync(problem).ConfigureAwait(false);
        }

        return problems.Count == 0 ? settings : null;
    }

    /// <summary>
    /// The command line of a <c>host</c> child with these settings and its share of the budgets:
    /// <c>serve --instances N</c> gives each child 1/N of memory and disk, and a cache folder of its own.
    /// Children listen on loopback without verifying signatures: only the router in front of them is
    /// reachable from elsewhere, and it verifies (forwarded, a request's Host header no longer matches its signature).
    /// </summary>
    public static List<string> ChildArguments(ModelHostSettings settings, int index, int count, int port)
    {
        var address = RequestSigningSettings.IsLoopback(settings.ListenAddress) ? settings.ListenAddress : "127.0.0.1";
        var arguments = new List<string>
        {
            "host", "--models", settings.ModelSource, "--host", address, "--port", port.ToString(CultureInfo.InvariantCulture), "--auth", "none",
            "--memory-budget", (settings.MemoryBudgetBytes / count).ToString(CultureInfo.InvariantCulture),
            "--disk-budget", (settings.DiskBudgetBytes / count).ToString(CultureInfo.InvariantCulture),
            "--cache-dir", Path.Combine(settings.CacheDirectory, $"instance-{index}"),
            "--endpoint-name", settings.Http.EndpointName, "--variant-name", settings.Http.VariantName, "--model-cache", settings.ModelCache.ToString(),
            "--eviction-policy", settings.EvictionPolicy, "--queue-limit", settings.InvocationQueueLimit.ToString(CultureInfo.InvariantCulture),
            "--invocation-timeout", settings.InvocationTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--load-timeout", settings.LoadTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--drain-delay", settings.DrainDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        };
        if (settings.MaxConcurrentInvocations is { } concurrency)
        {
            arguments.AddRange(["--max-concurrency", concurrency.ToString(CultureInfo.InvariantCulture)]);
        }

        if (settings.JsonLogs)
        {
            arguments.Add("--json-logs");
        }

        if (settings.AccessLogPath is { } accessLog)
        {
            // One file per child: each instance writes its own requests.
            arguments.AddRange(["--access-log", $"{accessLog}.instance-{index}"]);
        }

        if (settings.S3.EndpointUrl is { } s3Endpoint)
        {
            arguments.AddRange(["--s3-endpoint", s3Endpoint]);
        }

        if (settings.S3.Region is { } region)
        {
            arguments.AddRange(["--s3-region", region]);
        }

        return arguments;
    }
}
