using System.Text.Json.Nodes;
using OpenMme.Cli.Commands;
using OpenMme.Samples;
using OpenMme.TestSupport;

namespace OpenMme.Cli.ControlPlane;

/// <summary>
/// The control plane of a real <c>openmme serve</c> process, driven over its JSON 1.1 wire: endpoints
/// whose instances are real <c>openmme host</c> processes over generated sample models in a
/// <c>file://</c> ModelDataUrl, checked by their outputs, their processes and their state across a SIGKILL.
/// </summary>
public sealed class ServeControlPlaneTests : IDisposable
{
    private const long SampleSize = 20_000;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _directory = new();
    private readonly string _endpoint = "cp-" + Guid.NewGuid().ToString("N")[..10];

    public ServeControlPlaneTests()
    {
        SampleWriter.Write(_directory.Combine("mm"), 3, SampleSize);
        Samples = Enumerable.Range(0, 3).Select(i => SampleModelFactory.Create(i, SampleSize)).ToArray();
    }

    private SampleModel[] Samples { get; }

    private string ModelDataUrl => new Uri(_directory.Combine("mm") + "/").AbsoluteUri;

    public void Dispose()
    {
        // Whatever a test left running for its endpoint goes, by pid.
        foreach (var pid in SageMakerJsonClient.HostProcesses(_endpoint))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
            }
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task An_endpoint_is_created_serves_three_models_is_updated_to_more_instances_and_deleted()
    {
        using var serve = await StartServeAsync();
        using var client = new SageMakerJsonClient(serve.Address);
        await CreateModelAndConfigsAsync(client);

        var created = await client.OkAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "one" });
        Assert.Equal($"arn:aws:sagemaker:us-east-1:000000000000:endpoint/{_endpoint}", created.GetProperty("EndpointArn").GetString());
        var description = await client.WaitSettledAsync(_endpoint, Settle);
        Assert.Equal("InService", description.GetProperty("EndpointStatus").GetString());
        Assert.Equal(1, description.GetProperty("ProductionVariants")[0].GetProperty("CurrentInstanceCount").GetInt32());
        Assert.Single(SageMakerJsonClient.HostProcesses(_endpoint));
        await InvokeAllAsync(client, "first");

        await client.OkAsync("UpdateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "two" });
        description = await client.WaitSettledAsync(_endpoint, Settle);
        Assert.Equal("InService", description.GetProperty("EndpointStatus").GetString());
        Assert.Equal("two", description.GetProperty("EndpointConfigName").GetString());
        Assert.Equal(2, description.GetProperty("ProductionVariants")[0].GetProperty("CurrentInstanceCount").GetInt32());
        await InvokeAllAsync(client, "second");
        await WaitAsync(() => SageMakerJsonClient.HostProcesses(_endpoint).Count == 2, "the old instance stopped after the update");

        await client.OkAsync("DeleteEndpoint", new JsonObject { ["EndpointName"] = _endpoint });
        await WaitAsync(() => SageMakerJsonClient.HostProcesses(_endpoint).Count == 0, "the endpoint's instances stopped");
        await WaitAsync(async () => (await client.CallAsync("DescribeEndpoint", new JsonObject { ["EndpointName"] = _endpoint })).Status == 400, "the endpoint gone");
        Assert.Equal($"Could not find endpoint \"arn:aws:sagemaker:us-east-1:000000000000:endpoint/{_endpoint}\".",
            await client.RefusedAsync("DescribeEndpoint", new JsonObject { ["EndpointName"] = _endpoint }));
        using var gone = await client.InvokeAsync(_endpoint, Samples[0].Name, SampleWriter.RequestJson(Samples[0]));
        Assert.Equal(400, (int)gone.StatusCode);
        Assert.Equal("ValidationError", gone.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Contains($"Endpoint {_endpoint} of account 000000000000 not found.", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_update_under_load_answers_every_request()
    {
        using var serve = await StartServeAsync();
        using var client = new SageMakerJsonClient(serve.Address);
        await CreateModelAndConfigsAsync(client);
        await client.OkAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "one" });
        Assert.Equal("InService", (await client.WaitSettledAsync(_endpoint, Settle)).GetProperty("EndpointStatus").GetString());
        var oldInstance = Assert.Single(SageMakerJsonClient.HostProcesses(_endpoint));

        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var answered = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var load = Enumerable.Range(0, 2).Select(worker => Task.Run(async () =>
        {
            for (var i = worker; !stop.IsCancellationRequested; i++)
            {
                var sample = Samples[i % Samples.Length];
                using var response = await client.InvokeAsync(_endpoint, sample.Name, SampleWriter.RequestJson(sample));
                if (response.IsSuccessStatusCode)
                {
                    answered.AddOrUpdate(response.Headers.GetValues("x-Amzn-Invoked-Production-Variant").Single(), 1, (_, n) => n + 1);
                }
                else
                {
                    failures.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        })).ToArray();

        await client.OkAsync("UpdateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "two" });
        Assert.Equal("InService", (await client.WaitSettledAsync(_endpoint, Settle)).GetProperty("EndpointStatus").GetString());
        await WaitAsync(() => !SageMakerJsonClient.HostProcesses(_endpoint).Contains(oldInstance), "the old instance stopped");
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(answered.GetValueOrDefault("first") > 0, "no request reached the old fleet");
        Assert.True(answered.GetValueOrDefault("second") > 0, "no request reached the new fleet");
    }

    [Fact]
    public async Task With_several_instances_the_router_front_door_serves_created_endpoints_and_its_own()
    {
        using var serve = await StartServeAsync("--instances", "2", "--models", "mm");
        using var client = new SageMakerJsonClient(serve.Address);
        await CreateModelAndConfigsAsync(client);
        await client.OkAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "two" });
        Assert.Equal("InService", (await client.WaitSettledAsync(_endpoint, Settle)).GetProperty("EndpointStatus").GetString());

        await InvokeAllAsync(client, "second");
        using var own = await client.InvokeAsync("local", Samples[0].Name, SampleWriter.RequestJson(Samples[0]));
        Assert.True(own.IsSuccessStatusCode, await own.Content.ReadAsStringAsync());
        Assert.Equal("AllTraffic", own.Headers.GetValues("x-Amzn-Invoked-Production-Variant").Single());
        await client.OkAsync("DeleteEndpoint", new JsonObject { ["EndpointName"] = _endpoint });
        await WaitAsync(() => SageMakerJsonClient.HostProcesses(_endpoint).Count == 0, "the endpoint's instances stopped");
    }

    [Fact]
    public async Task With_access_keys_an_unsigned_control_plane_request_is_refused_and_changes_nothing()
    {
        await File.WriteAllTextAsync(_directory.Combine("keys"), "AKIDEXAMPLE wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n");
        using var serve = await StartServeAsync("--access-keys", "keys");
        using var client = new SageMakerJsonClient(serve.Address);

        var (status, body) = await client.CallAsync("CreateModel", Model("unsigned", ModelDataUrl));

        Assert.Equal(403, status);
        Assert.Equal("MissingAuthenticationTokenException", body.GetProperty("__type").GetString());
        var store = await OpenMme.ControlPlane.State.StateStore.OpenAsync(_directory.Combine("state", "state.db"), CancellationToken.None);
        Assert.Empty(await store.ListModelsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task After_a_SIGKILL_serve_brings_its_endpoints_back_without_a_create_call()
    {
        var serve = await StartServeAsync();
        try
        {
            using (var client = new SageMakerJsonClient(serve.Address))
            {
                await CreateModelAndConfigsAsync(client);
                await client.OkAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "one" });
                Assert.Equal("InService", (await client.WaitSettledAsync(_endpoint, Settle)).GetProperty("EndpointStatus").GetString());
            }

            serve.Crash();

            // The children watch their parent and stop by themselves.
            await WaitAsync(() => SageMakerJsonClient.HostProcesses(_endpoint).Count == 0, "the killed serve's instances stopped");
        }
        finally
        {
            serve.Dispose();
        }

        using var restarted = await StartServeAsync();
        using var again = new SageMakerJsonClient(restarted.Address);
        var description = await again.WaitSettledAsync(_endpoint, Settle);
        Assert.Equal("InService", description.GetProperty("EndpointStatus").GetString());
        Assert.Equal("one", description.GetProperty("EndpointConfigName").GetString());
        await InvokeAllAsync(again, "first");
        var models = await again.OkAsync("ListModels", []);
        Assert.Equal("mme", models.GetProperty("Models")[0].GetProperty("ModelName").GetString());
    }

    [Fact]
    public async Task Refusals_carry_SageMakers_type_and_message()
    {
        using var serve = await StartServeAsync("--max-instances-per-endpoint", "2", "--max-endpoints", "1");
        using var client = new SageMakerJsonClient(serve.Address);
        const string account = "arn:aws:sagemaker:us-east-1:000000000000";
        await CreateModelAndConfigsAsync(client);

        Assert.Equal($"Cannot create already existing model \"{account}:model/mme\".", await client.RefusedAsync("CreateModel", Model("MME", ModelDataUrl)));
        Assert.Equal($"Could not find model \"{account}:model/nope\".", await client.RefusedAsync("DescribeModel", new JsonObject { ["ModelName"] = "nope" }));
        Assert.Equal($"Could not find endpoint configuration \"{account}:endpoint-config/nope\".",
            await client.RefusedAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "nope" }));
        Assert.Equal($"Could not find model \"{account}:model/ghost\".", await client.RefusedAsync("CreateEndpointConfig", Config("ghostly", "ghost", 1)));
        Assert.Equal($"Cannot create already existing endpoint configuration \"{account}:endpoint-config/one\".", await client.RefusedAsync("CreateEndpointConfig", Config("one", "mme", 1)));
        Assert.Equal("1 validation error detected: Value 'bad_name' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
            await client.RefusedAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = "bad_name", ["EndpointConfigName"] = "one" }));
        Assert.Equal("1 validation error detected: Value null at 'endpointConfigName' failed to satisfy constraint: Member must not be null",
            await client.RefusedAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint }));
        Assert.Equal("Operation SageMaker.CreateTrainingJob is not supported.", await client.RefusedAsync("CreateTrainingJob", [], "UnknownOperationException"));

        var limit = await client.RefusedAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "many" }, "ResourceLimitExceeded");
        Assert.StartsWith("The account-level service limit 'instances per endpoint' is 2 Instances, with current utilization of 0 Instances and a request delta of 3 Instances.", limit, StringComparison.Ordinal);
        Assert.Empty(SageMakerJsonClient.HostProcesses(_endpoint));

        await client.OkAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "one" });
        Assert.Equal($"Cannot create already existing endpoint \"{account}:endpoint/{_endpoint}\".",
            await client.RefusedAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint.ToUpperInvariant(), ["EndpointConfigName"] = "one" }));
        Assert.Contains("'endpoints' is 1 Endpoints",
            await client.RefusedAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint + "-2", ["EndpointConfigName"] = "one" }, "ResourceLimitExceeded"), StringComparison.Ordinal);
        await client.OkAsync("DeleteEndpoint", new JsonObject { ["EndpointName"] = _endpoint });
        await WaitAsync(() => SageMakerJsonClient.HostProcesses(_endpoint).Count == 0, "the endpoint's instances stopped");
    }

    [Fact]
    public async Task A_missing_ModelDataUrl_folder_fails_the_endpoint_with_the_reason()
    {
        using var serve = await StartServeAsync();
        using var client = new SageMakerJsonClient(serve.Address);
        var missing = new Uri(_directory.Combine("absent") + "/").AbsoluteUri;
        await client.OkAsync("CreateModel", Model("lost", missing));
        await client.OkAsync("CreateEndpointConfig", Config("lost-config", "lost", 1));

        await client.OkAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "lost-config" });
        var description = await client.WaitSettledAsync(_endpoint, Settle);

        Assert.Equal("Failed", description.GetProperty("EndpointStatus").GetString());
        Assert.Equal($"Could not read ModelDataUrl {missing}: no such folder on this machine.", description.GetProperty("FailureReason").GetString());
        Assert.Empty(SageMakerJsonClient.HostProcesses(_endpoint));
    }

    [Fact]
    public async Task An_s3_ModelDataUrl_is_the_endpoints_store_and_a_missing_bucket_fails_it()
    {
        using var bucket = await S3TestBucket.CreateAsync();
        foreach (var sample in Samples)
        {
            await bucket.PutAsync(sample.Name, sample.Onnx);
        }

        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = S3rverProcess.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverProcess.SecretKey,
            ["AWS_REGION"] = "us-east-1",
        };
        using var serve = await ServeProcess.StartAsync(_directory.Path, environment,
            ["serve", "--port", "0", "--memory-budget", "256MB", "--disk-budget", "256MB", "--drain-delay", "0", "--state-dir", "state", "--s3-endpoint", bucket.Endpoint]);
        using var client = new SageMakerJsonClient(serve.Address);
        await client.OkAsync("CreateModel", Model("in-s3", bucket.Source));
        await client.OkAsync("CreateEndpointConfig", Config("s3-config", "in-s3", 1));
        await client.OkAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "s3-config" });
        Assert.Equal("InService", (await client.WaitSettledAsync(_endpoint, Settle)).GetProperty("EndpointStatus").GetString());
        await InvokeAllAsync(client, "first");

        await client.OkAsync("CreateModel", Model("nowhere", "s3://no-such-bucket-" + Guid.NewGuid().ToString("N")[..8] + "/models/"));
        await client.OkAsync("CreateEndpointConfig", Config("nowhere-config", "nowhere", 1));
        var failing = _endpoint + "-f";
        await client.OkAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = failing, ["EndpointConfigName"] = "nowhere-config" });
        var description = await client.WaitSettledAsync(failing, Settle);
        Assert.Equal("Failed", description.GetProperty("EndpointStatus").GetString());
        Assert.StartsWith("Could not read ModelDataUrl s3://no-such-bucket-", description.GetProperty("FailureReason").GetString(), StringComparison.Ordinal);
        Assert.Empty(SageMakerJsonClient.HostProcesses(failing));
    }

    [Fact]
    public async Task A_single_model_endpoint_serves_its_one_model_and_refuses_a_target_model()
    {
        using var serve = await StartServeAsync();
        using var client = new SageMakerJsonClient(serve.Address);
        var sample = Samples[1];
        var artifact = new Uri(_directory.Combine("mm", sample.Name)).AbsoluteUri;
        var model = Model("single", artifact);
        model["PrimaryContainer"]!["Mode"] = "SingleModel";
        ((JsonObject)model["PrimaryContainer"]!).Remove("MultiModelConfig");
        await client.OkAsync("CreateModel", model);
        await client.OkAsync("CreateEndpointConfig", Config("single-config", "single", 1));
        await client.OkAsync("CreateEndpoint", new JsonObject { ["EndpointName"] = _endpoint, ["EndpointConfigName"] = "single-config" });
        Assert.Equal("InService", (await client.WaitSettledAsync(_endpoint, Settle)).GetProperty("EndpointStatus").GetString());

        using (var response = await client.InvokeAsync(_endpoint, null, SampleWriter.RequestJson(sample)))
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.IsSuccessStatusCode, System.Text.Encoding.UTF8.GetString(body));
            SampleAssert.SameKServeAnswer(SampleWriter.ResponseJson(sample, sample.Name), body);
        }

        using var refused = await client.InvokeAsync(_endpoint, Samples[0].Name, SampleWriter.RequestJson(Samples[0]));
        Assert.Equal(400, (int)refused.StatusCode);
        Assert.Equal("ValidationError", refused.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Contains("TARGET_MODEL_HEADER_NOT_SUPPORTED", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await client.OkAsync("DeleteEndpoint", new JsonObject { ["EndpointName"] = _endpoint });
        await WaitAsync(() => SageMakerJsonClient.HostProcesses(_endpoint).Count == 0, "the endpoint's instances stopped");
    }

    private Task<ServeProcess> StartServeAsync(params string[] more) => ServeProcess.StartAsync(_directory.Path,
        ["serve", "--port", "0", "--memory-budget", "256MB", "--disk-budget", "256MB", "--drain-delay", "0", "--state-dir", "state", .. more]);

    private async Task CreateModelAndConfigsAsync(SageMakerJsonClient client)
    {
        var model = await client.OkAsync("CreateModel", Model("mme", ModelDataUrl));
        Assert.Equal("arn:aws:sagemaker:us-east-1:000000000000:model/mme", model.GetProperty("ModelArn").GetString());
        await client.OkAsync("CreateEndpointConfig", Config("one", "mme", 1));
        await client.OkAsync("CreateEndpointConfig", Config("two", "mme", 2, "second"));
        await client.OkAsync("CreateEndpointConfig", Config("many", "mme", 3));
    }

    private async Task InvokeAllAsync(SageMakerJsonClient client, string variant)
    {
        foreach (var sample in Samples)
        {
            using var response = await client.InvokeAsync(_endpoint, sample.Name, SampleWriter.RequestJson(sample));
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.IsSuccessStatusCode, $"{sample.Name}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
            Assert.Equal(variant, response.Headers.GetValues("x-Amzn-Invoked-Production-Variant").Single());
            SampleAssert.SameKServeAnswer(SampleWriter.ResponseJson(sample, sample.Name), body);
        }
    }

    private static JsonObject Model(string name, string url) => new()
    {
        ["ModelName"] = name,
        ["ExecutionRoleArn"] = "arn:aws:iam::000000000000:role/SageMakerRole",
        ["PrimaryContainer"] = new JsonObject
        {
            ["Image"] = "763104351884.dkr.ecr.us-east-1.amazonaws.com/mme:latest",
            ["Mode"] = "MultiModel",
            ["ModelDataUrl"] = url,
            ["MultiModelConfig"] = new JsonObject { ["ModelCacheSetting"] = "Enabled" },
        },
    };

    private static JsonObject Config(string name, string model, int instances, string variant = "first") => new()
    {
        ["EndpointConfigName"] = name,
        ["ProductionVariants"] = new JsonArray(new JsonObject
        {
            ["VariantName"] = variant,
            ["ModelName"] = model,
            ["InstanceType"] = "ml.m5.large",
            ["InitialInstanceCount"] = instances,
        }),
    };

    private static Task WaitAsync(Func<bool> condition, string what) => WaitAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }
}
