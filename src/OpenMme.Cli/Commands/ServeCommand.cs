using System.CommandLine;
using OpenMme.Configuration;
using OpenMme.Host;
using OpenMme.MemoryTier;
using OpenMme.MemoryTier.Eviction;
using OpenMme.Samples;
using OpenMme.Store;

namespace OpenMme.Cli.Commands;

/// <summary><c>openmme serve</c>: the all-in-one endpoint on one machine.</summary>
internal static class ServeCommand
{
    /// <summary>Sample models <c>--demo</c> writes.</summary>
    public const int DemoModelCount = 4;

    /// <summary>Size of each demo model.</summary>
    public const long DemoModelBytes = 100_000;

    public static Command Create()
    {
        var models = new Option<string>("--models")
        {
            HelpName = "source",
            Description = "Model source: a folder, file:///DIR/ or s3://bucket/prefix/. A folder named here must exist; the default one is created.",
            DefaultValueFactory = _ => "models",
        };
        var port = new Option<int>("--port") { Description = "TCP port (0: any free port).", DefaultValueFactory = _ => 8080, CustomParser = OptionParsers.Int };
        var host = new Option<string>("--host") { HelpName = "address", Description = "Address to listen on (0.0.0.0 in a container).", DefaultValueFactory = _ => "127.0.0.1" };
        var memory = new Option<string>("--memory-budget") { HelpName = "size|percent", Description = "Memory for loaded models: a size (2GiB) or a share of the machine (60%).", DefaultValueFactory = _ => "50%" };
        var disk = new Option<string>("--disk-budget") { HelpName = "size", Description = "Disk for cached artifacts, e.g. 20GB.", DefaultValueFactory = _ => "10GiB" };
        var cacheDir = new Option<string>("--cache-dir") { HelpName = "folder", Description = "Folder of the disk tier (survives restarts).", DefaultValueFactory = _ => Path.Combine(".openmme", "cache") };
        var endpoint = new Option<string>("--endpoint-name") { HelpName = "name", Description = "Endpoint name of the runtime API (/endpoints/NAME/invocations).", DefaultValueFactory = _ => "local" };
        var modelCache = new Option<ModelCacheSetting>("--model-cache")
        {
            Description = "Enabled (keep models while there is room) or Disabled (unload and delete after each invocation).",
            DefaultValueFactory = _ => ModelCacheSetting.Enabled,
        };
        var s3Endpoint = new Option<string?>("--s3-endpoint") { HelpName = "url", Description = "Endpoint of an S3-compatible store (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or AWS)." };
        var s3Region = new Option<string?>("--s3-region") { HelpName = "region", Description = "Region of the S3 store (default: AWS_REGION, AWS_DEFAULT_REGION, or us-east-1)." };
        var policy = new Option<string>("--eviction-policy")
        {
            Description = "Which idle model leaves memory first: lru, gdsf (cost-aware) or tinylfu (frequency, size and cost).",
            DefaultValueFactory = _ => EvictionPolicies.Default,
        };
        policy.AcceptOnlyFromAmong([.. EvictionPolicies.All]);
        var maxConcurrency = new Option<int?>("--max-concurrency") { HelpName = "count", Description = "Invocations running at once (default: vCPU count).", CustomParser = OptionParsers.OptionalInt };
        var queueLimit = new Option<int>("--queue-limit") { HelpName = "count", Description = "Invocations waiting for a slot before 503.", DefaultValueFactory = _ => 512, CustomParser = OptionParsers.Int };
        var invocationTimeout = new Option<double>("--invocation-timeout")
        {
            HelpName = "seconds",
            Description = "Seconds an invocation waits for a cold load before 429.",
            DefaultValueFactory = _ => 60,
            CustomParser = OptionParsers.Double,
        };
        var loadTimeout = new Option<double>("--load-timeout") { HelpName = "seconds", Description = "Seconds a load may take in all.", DefaultValueFactory = _ => 360, CustomParser = OptionParsers.Double };
        var drainDelay = new Option<double>("--drain-delay")
        {
            HelpName = "seconds",
            Description = "Seconds /ping answers 503 on shutdown before the listener closes.",
            DefaultValueFactory = _ => 5,
            CustomParser = OptionParsers.Double,
        };
        var jsonLogs = new Option<bool>("--json-logs") { Description = "Write logs as JSON lines." };
        var accessLog = new Option<string?>("--access-log")
        {
            HelpName = "file",
            Description = "Write a JSON line per request the memory tier answers (time, model, bytes, outcome, loadSeconds), for openmme plan and bench to replay.",
        };
        var demo = new Option<bool>("--demo") { Description = "Write sample models into the model folder first and print a curl line to try." };
        var command = new Command("serve", "Serve every model in the model source on one endpoint, loading each on first use.")
        {
            models, port, host, memory, disk, cacheDir, endpoint, modelCache, s3Endpoint, s3Region, policy, maxConcurrency, queueLimit,
            invocationTimeout, loadTimeout, drainDelay, jsonLogs, accessLog, demo,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var errors = result.InvocationConfiguration.Error;
            if (!ByteSize.TryParse(result.GetValue(memory), ByteSize.MachineMemory(), out var memoryBytes, out var error))
            {
                await errors.WriteLineAsync($"--memory-budget {error}").ConfigureAwait(false);
                return 2;
            }

            if (!ByteSize.TryParse(result.GetValue(disk), null, out var diskBytes, out error))
            {
                await errors.WriteLineAsync($"--disk-budget {error}").ConfigureAwait(false);
                return 2;
            }

            var settings = new ModelHostSettings
            {
                ModelSource = result.GetValue(models)!,
                Port = result.GetValue(port),
                ListenAddress = result.GetValue(host)!,
                MemoryBudgetBytes = memoryBytes,
                DiskBudgetBytes = diskBytes,
                CacheDirectory = result.GetValue(cacheDir)!,
                ModelCache = result.GetValue(modelCache),
                EvictionPolicy = result.GetValue(policy)!,
                MaxConcurrentInvocations = result.GetValue(maxConcurrency),
                InvocationQueueLimit = result.GetValue(queueLimit),
                InvocationTimeout = TimeSpan.FromSeconds(result.GetValue(invocationTimeout)),
                LoadTimeout = TimeSpan.FromSeconds(result.GetValue(loadTimeout)),
                DrainDelay = TimeSpan.FromSeconds(result.GetValue(drainDelay)),
                JsonLogs = result.GetValue(jsonLogs),
                AccessLogPath = result.GetValue(accessLog),
                S3 = new S3StoreOptions { EndpointUrl = result.GetValue(s3Endpoint), Region = result.GetValue(s3Region) },
                Http = new ModelHostOptions(EndpointName: result.GetValue(endpoint)!),
            };

            // The default folder and a --demo folder are made here; any other folder named by --models must
            // exist, since a mistyped one would serve nothing and answer every request with 400.
            var modelsGiven = result.GetResult(models) is { Implicit: false };
            if ((result.GetValue(demo) || !modelsGiven) && settings.LocalModelFolder is { } folder)
            {
                Directory.CreateDirectory(folder);
            }

            var problems = settings.Validate();
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    await errors.WriteLineAsync(problem).ConfigureAwait(false);
                }

                return 2;
            }

            if (result.GetValue(demo))
            {
                await WriteDemoModelsAsync(settings, output, errors).ConfigureAwait(false);
            }

            await using var app = ModelHostApplication.Create(settings);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ListenFailure.TryDescribe(e, "serve", settings.ListenAddress, settings.Port, out var message))
            {
                await errors.WriteLineAsync(message).ConfigureAwait(false);
                return 1;
            }

            var address = app.ListeningAddress();
            await output.WriteLineAsync($"OpenMME serving {settings.LocalModelFolder ?? settings.ModelSource} at {address} (endpoint '{settings.Http.EndpointName}', "
                + $"memory {ByteSize.Format(memoryBytes)}, disk {ByteSize.Format(diskBytes)}, model cache {settings.ModelCache}, eviction {settings.EvictionPolicy}"
                + (settings.AccessLogPath is { } log ? $", access log {Path.GetFullPath(log)}" : string.Empty) + ").")
                .ConfigureAwait(false);
            if (result.GetValue(demo) && settings.LocalModelFolder is not null)
            {
                await output.WriteLineAsync("Try:").ConfigureAwait(false);
                await output.WriteLineAsync($"  {CurlLine(address, settings)}").ConfigureAwait(false);
                await output.WriteLineAsync($"Expected response: {Path.Combine(DemoFolder(settings), "fp32-000.response.json")}").ConfigureAwait(false);
            }

            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>The copy-paste request for the first demo model.</summary>
    public static string CurlLine(Uri address, ModelHostSettings settings) =>
        $"curl -s {address.GetLeftPart(UriPartial.Authority)}/endpoints/{settings.Http.EndpointName}/invocations " +
        $"-H 'X-Amzn-SageMaker-Target-Model: fp32-000.onnx' -H 'Content-Type: application/json' " +
        $"-d @{Path.Combine(DemoFolder(settings), "fp32-000.request.json")}";

    // A folder as the user wrote it (relative paths stay short); a file:// source as the path it names.
    private static string DemoFolder(ModelHostSettings settings) =>
        settings.ModelSource.Contains("://", StringComparison.Ordinal) ? settings.LocalModelFolder ?? settings.ModelSource : settings.ModelSource;

    private static async Task WriteDemoModelsAsync(ModelHostSettings settings, TextWriter output, TextWriter errors)
    {
        if (settings.LocalModelFolder is not { } folder)
        {
            await errors.WriteLineAsync("--demo writes sample models into a local folder; the model source is not one, so none were written.").ConfigureAwait(false);
            return;
        }

        var missing = 0;
        for (var i = 0; i < DemoModelCount; i++)
        {
            if (!File.Exists(Path.Combine(folder, SampleModelFactory.Create(i, 1).Name)))
            {
                missing++;
            }
        }

        if (missing > 0)
        {
            SampleWriter.Write(folder, DemoModelCount, DemoModelBytes);
            await output.WriteLineAsync($"Wrote {DemoModelCount} demo models to {folder}.").ConfigureAwait(false);
        }
    }
}
