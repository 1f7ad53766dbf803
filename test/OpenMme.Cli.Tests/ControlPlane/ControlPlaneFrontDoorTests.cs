using System.Text.Json.Nodes;
using OpenMme.ControlPlane;
using OpenMme.ControlPlane.State;
using OpenMme.Host;
using OpenMme.TestSupport;
using OpenMme.Wire;

namespace OpenMme.Cli.ControlPlane;

/// <summary>
/// The JSON 1.1 API on a real Kestrel on loopback, in this process: <c>serve</c>'s one-instance front
/// door with the control plane added, as <c>serve</c> composes it. Operations that start no
/// instances: models, endpoint configs, listing, and the wire's own refusals.
/// </summary>
public sealed class ControlPlaneFrontDoorTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private WebApplication? _app;
    private SageMakerJsonClient? _client;

    private SageMakerJsonClient Client => _client!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory.Combine("models"));
        var settings = new ModelHostSettings
        {
            ModelSource = _directory.Combine("models"),
            CacheDirectory = _directory.Combine("cache"),
            Port = 0,
            MemoryBudgetBytes = 64L << 20,
            DiskBudgetBytes = 64L << 20,
        };
        var controlPlane = new ControlPlaneSettings { StateDirectory = _directory.Combine("state"), Region = "eu-west-1" };
        var store = await StateStore.OpenAsync(controlPlane.DatabasePath, CancellationToken.None);
        _app = ModelHostApplication.Create(settings, logging: _ => { }, extension: new ControlPlaneFrontDoor(controlPlane, store, settings, TextWriter.Null));
        await _app.StartAsync();
        _client = new SageMakerJsonClient(_app.ListeningAddress());
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task A_model_is_described_with_SageMakers_fields_and_epoch_seconds()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        await Client.OkAsync("CreateModel", new JsonObject
        {
            ["ModelName"] = "Fraud-Detector",
            ["PrimaryContainer"] = new JsonObject
            {
                ["Image"] = "img:1",
                ["Mode"] = "MultiModel",
                ["ModelDataUrl"] = "s3://bucket/models/",
                ["Environment"] = new JsonObject { ["SAGEMAKER_PROGRAM"] = "inference.py" },
                ["MultiModelConfig"] = new JsonObject { ["ModelCacheSetting"] = "Disabled" },
            },
        });

        var model = await Client.OkAsync("DescribeModel", new JsonObject { ["ModelName"] = "fraud-detector" });

        Assert.Equal("Fraud-Detector", model.GetProperty("ModelName").GetString());
        Assert.Equal("arn:aws:sagemaker:eu-west-1:000000000000:model/fraud-detector", model.GetProperty("ModelArn").GetString());
        var container = model.GetProperty("PrimaryContainer");
        Assert.Equal("MultiModel", container.GetProperty("Mode").GetString());
        Assert.Equal("s3://bucket/models/", container.GetProperty("ModelDataUrl").GetString());
        Assert.Equal("inference.py", container.GetProperty("Environment").GetProperty("SAGEMAKER_PROGRAM").GetString());
        Assert.Equal("Disabled", container.GetProperty("MultiModelConfig").GetProperty("ModelCacheSetting").GetString());
        var created = model.GetProperty("CreationTime").GetDouble();
        Assert.InRange(created, before - 1, before + 60);
    }

    [Fact]
    public async Task Lists_filter_sort_and_page_with_a_next_token()
    {
        foreach (var name in new[] { "m-c", "m-a", "x-b", "m-b" })
        {
            await Client.OkAsync("CreateModel", Multi(name));
        }

        var first = await Client.OkAsync("ListModels", new JsonObject { ["NameContains"] = "m-", ["SortBy"] = "Name", ["SortOrder"] = "Ascending", ["MaxResults"] = 2 });
        Assert.Equal(["m-a", "m-b"], first.GetProperty("Models").EnumerateArray().Select(m => m.GetProperty("ModelName").GetString()));
        var token = first.GetProperty("NextToken").GetString();
        var second = await Client.OkAsync("ListModels", new JsonObject { ["NameContains"] = "m-", ["SortBy"] = "Name", ["SortOrder"] = "Ascending", ["MaxResults"] = 2, ["NextToken"] = token });
        Assert.Equal(["m-c"], second.GetProperty("Models").EnumerateArray().Select(m => m.GetProperty("ModelName").GetString()));
        Assert.False(second.TryGetProperty("NextToken", out _));

        var newest = await Client.OkAsync("ListModels", []);
        Assert.Equal("m-b", newest.GetProperty("Models")[0].GetProperty("ModelName").GetString());
    }

    [Fact]
    public async Task An_endpoint_config_is_described_and_deleted_and_then_not_found()
    {
        await Client.OkAsync("CreateModel", Multi("m"));
        await Client.OkAsync("CreateEndpointConfig", new JsonObject
        {
            ["EndpointConfigName"] = "cfg",
            ["ProductionVariants"] = new JsonArray(new JsonObject
            {
                ["VariantName"] = "AllTraffic",
                ["ModelName"] = "m",
                ["InstanceType"] = "ml.c5.xlarge",
                ["InitialInstanceCount"] = 2,
                ["InitialVariantWeight"] = 0.5,
            }),
        });

        var config = await Client.OkAsync("DescribeEndpointConfig", new JsonObject { ["EndpointConfigName"] = "cfg" });
        var variant = config.GetProperty("ProductionVariants")[0];
        Assert.Equal("ml.c5.xlarge", variant.GetProperty("InstanceType").GetString());
        Assert.Equal(2, variant.GetProperty("InitialInstanceCount").GetInt32());
        Assert.Equal(0.5, variant.GetProperty("InitialVariantWeight").GetDouble());

        await Client.OkAsync("DeleteEndpointConfig", new JsonObject { ["EndpointConfigName"] = "cfg" });
        Assert.Equal("Could not find endpoint configuration \"arn:aws:sagemaker:eu-west-1:000000000000:endpoint-config/cfg\".",
            await Client.RefusedAsync("DeleteEndpointConfig", new JsonObject { ["EndpointConfigName"] = "cfg" }));
        Assert.Empty((await Client.OkAsync("ListEndpointConfigs", [])).GetProperty("EndpointConfigs").EnumerateArray());
    }

    [Fact]
    public async Task Unknown_instance_types_bad_urls_and_bad_bodies_are_refused()
    {
        await Client.OkAsync("CreateModel", Multi("m"));
        var type = await Client.RefusedAsync("CreateEndpointConfig", new JsonObject
        {
            ["EndpointConfigName"] = "cfg",
            ["ProductionVariants"] = new JsonArray(new JsonObject { ["VariantName"] = "v", ["ModelName"] = "m", ["InstanceType"] = "ml.x9.huge", ["InitialInstanceCount"] = 1 }),
        });
        Assert.StartsWith("1 validation error detected: Value 'ml.x9.huge' at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must satisfy enum value set: [ml.c5.large,",
            type, StringComparison.Ordinal);

        var url = await Client.RefusedAsync("CreateModel", Multi("n", "https://example.com/models/"));
        Assert.Contains("at 'primaryContainer.modelDataUrl' failed to satisfy constraint: Member must satisfy regular expression pattern", url, StringComparison.Ordinal);

        Assert.Equal("SerializationException", (await Client.CallAsync("CreateModel", new JsonObject { ["ModelName"] = 5 })).Body.GetProperty("__type").GetString());
        Assert.Equal("Could not find endpoint \"arn:aws:sagemaker:eu-west-1:000000000000:endpoint/none\".",
            await Client.RefusedAsync("DeleteEndpoint", new JsonObject { ["EndpointName"] = "none" }));
    }

    private static JsonObject Multi(string name, string url = "s3://bucket/models/") => new()
    {
        ["ModelName"] = name,
        ["PrimaryContainer"] = new JsonObject { ["Mode"] = "MultiModel", ["ModelDataUrl"] = url },
    };
}
