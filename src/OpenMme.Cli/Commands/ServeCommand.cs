using System.CommandLine;
using OpenMme.Configuration;
using OpenMme.Host;
using OpenMme.MemoryTier;
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
        var models = new Option<string>("--models") { Description = "Model source: a folder or file:///DIR/.", DefaultValueFactory = _ => "models" };
        var port = new Option<int>("--port") { Description = "TCP port (0: any free port).", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var memory = new Option<string>("--memory-budget") { Description = "Memory for loaded models: a size (2GiB) or a share of the machine (60%).", DefaultValueFactory = _ => "50%" };
        var disk = new Option<string>("--disk-budget") { Description = "Disk for cached artifacts, e.g. 20GB.", DefaultValueFactory = _ => "10GiB" };
        var cacheDir = new Option<string>("--cache-dir") { Description = "Folder of the disk tier.", DefaultValueFactory = _ => Path.Combine(".openmme", "cache") };
        var endpoint = new Option<string>("--endpoint-name") { Description = "Endpoint name of the runtime API.", DefaultValueFactory = _ => "local" };
        var modelCache = new Option<ModelCacheSetting>("--model-cache") { Description = "Enabled (keep models while there is room) or Disabled (unload and delete after each invocation).", DefaultValueFactory = _ => ModelCacheSetting.Enabled };
        var s3Endpoint = new Option<string?>("--s3-endpoint") { Description = "Endpoint of an S3-compatible store (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or AWS)." };
        var s3Region = new Option<string?>("--s3-region") { Description = "Region of the S3 store (default: AWS_REGION, AWS_DEFAULT_REGION, or us-east-1)." };
        var policy = new Option<string>("--eviction-policy") { Description = "Which idle model leaves memory first: lru or gdsf (cost-aware).", DefaultValueFactory = _ => "lru" };
        var maxConcurrency = new Option<int?>("--max-concurrency") { Description = "Invocations running at once (default: vCPU count)." };
        var queueLimit = new Option<int>("--queue-limit") { Description = "Invocations waiting for a slot before 503.", DefaultValueFactory = _ => 512 };
        var invocationTimeout = new Option<double>("--invocation-timeout") { Description = "Seconds an invocation waits for a cold load before 429.", DefaultValueFactory = _ => 60 };
        var loadTimeout = new Option<double>("--load-timeout") { Description = "Seconds a load may take in all.", DefaultValueFactory = _ => 360 };
        var drainDelay = new Option<double>("--drain-delay") { Description = "Seconds /ping answers 503 on shutdown before the listener closes.", DefaultValueFactory = _ => 5 };
        var jsonLogs = new Option<bool>("--json-logs") { Description = "Write logs as JSON lines." };
        var demo = new Option<bool>("--demo") { Description = "Write sample models into the model folder first and print a curl line to try." };
        var command = new Command("serve", "Serve every model in the model source on one endpoint, loading each on first use.")
        {
            models, port, host, memory, disk, cacheDir, endpoint, modelCache, s3Endpoint, s3Region, policy, maxConcurrency, queueLimit,
            invocationTimeout, loadTimeout, drainDelay, jsonLogs, demo,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!ByteSize.TryParse(result.GetValue(memory), ByteSize.MachineMemory(), out var memoryBytes, out var error))
            {
                Console.Error.WriteLine($"--memory-budget {error}");
                return 2;
            }

            if (!ByteSize.TryParse(result.GetValue(disk), null, out var diskBytes, out error))
            {
                Console.Error.WriteLine($"--disk-budget {error}");
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
                S3 = new S3StoreOptions { EndpointUrl = result.GetValue(s3Endpoint), Region = result.GetValue(s3Region) },
                Http = new ModelHostOptions(EndpointName: result.GetValue(endpoint)!),
            };
            var problems = settings.Validate();
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    Console.Error.WriteLine(problem);
                }

                return 2;
            }

            if (result.GetValue(demo))
            {
                WriteDemoModels(settings.ModelSource);
            }

            await using var app = ModelHostApplication.Create(settings);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.ListeningAddress();
            Console.WriteLine($"OpenMME serving {Path.GetFullPath(settings.ModelSource)} at {address} (endpoint '{settings.Http.EndpointName}', memory {ByteSize.Format(memoryBytes)}, disk {ByteSize.Format(diskBytes)}, model cache {settings.ModelCache}, eviction {settings.EvictionPolicy}).");
            if (result.GetValue(demo))
            {
                Console.WriteLine("Try:");
                Console.WriteLine($"  {CurlLine(address, settings)}");
                Console.WriteLine($"Expected response: {Path.Combine(settings.ModelSource, "fp32-000.response.json")}");
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
        $"-d @{Path.Combine(settings.ModelSource, "fp32-000.request.json")}";

    private static void WriteDemoModels(string source)
    {
        if (source.Contains("://", StringComparison.Ordinal) && !source.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine("--demo writes sample models into a local folder; the model source is not one, so none were written.");
            return;
        }

        var folder = source.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(source).LocalPath : source;
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
            Console.WriteLine($"Wrote {DemoModelCount} demo models to {Path.GetFullPath(folder)}.");
        }
    }
}
