using Microsoft.Data.Sqlite;
using OpenMme.TestSupport;

namespace OpenMme.ControlPlane.State;

public sealed class StateStoreTests : IDisposable
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string DatabasePath => _directory.Combine("state", "state.db");

    [Fact]
    public async Task A_new_database_is_created_at_the_current_schema_version()
    {
        var store = await StateStore.OpenAsync(DatabasePath, CancellationToken.None);

        Assert.Equal(StateSchema.Current, store.SchemaVersion);
        Assert.Equal(StateSchema.Current, await UserVersionAsync());
    }

    [Fact]
    public async Task What_was_written_is_read_back_after_the_store_is_opened_again()
    {
        var store = await StateStore.OpenAsync(DatabasePath, CancellationToken.None);
        var container = new ContainerSpec("image:1", ContainerSpec.MultiModel, "file:///models/", new Dictionary<string, string> { ["A"] = "1" }, "Disabled");
        Assert.True(await store.TryAddModelAsync(new ModelResource("Fraud", "arn:model/fraud", Created, container, null), CancellationToken.None));
        var deployment = new EndpointDeployment("cfg", 1, [new VariantDeployment("AllTraffic", "Fraud", "ml.m5.large", 2, 1.0, container)]);
        Assert.True(await store.TryAddEndpointAsync(new EndpointResource("ep", "arn:endpoint/ep", EndpointStatus.Creating, null, Created, Created, deployment, null), CancellationToken.None));
        SqliteConnection.ClearAllPools();

        var reopened = await StateStore.OpenAsync(DatabasePath, CancellationToken.None);

        var model = await reopened.GetModelAsync("fraud", CancellationToken.None);
        Assert.NotNull(model);
        Assert.Equal("Fraud", model.Name);
        Assert.Equal(Created, model.CreationTime);
        Assert.Equal("Disabled", model.Container.ModelCacheSetting);
        Assert.Equal("1", model.Container.Environment["A"]);
        var endpoint = await reopened.GetEndpointAsync("EP", CancellationToken.None);
        Assert.NotNull(endpoint);
        Assert.Equal(2, endpoint.Deployment.InstanceCount);
        Assert.Equal("ml.m5.large", endpoint.Deployment.Variants[0].InstanceType);
    }

    [Fact]
    public async Task Resources_created_in_the_same_millisecond_are_listed_in_creation_order()
    {
        var store = await StateStore.OpenAsync(DatabasePath, CancellationToken.None);
        var container = new ContainerSpec(null, ContainerSpec.MultiModel, "s3://bucket/models/", new Dictionary<string, string>(), null);
        string[] names = ["m-c", "m-a", "x-b", "m-b"];
        foreach (var name in names)
        {
            Assert.True(await store.TryAddModelAsync(new ModelResource(name, "arn:model/" + name, Created, container, null), CancellationToken.None));
        }

        Assert.Equal(names, (await store.ListModelsAsync(CancellationToken.None)).Select(m => m.Name));
    }

    [Fact]
    public async Task Names_are_unique_ignoring_case()
    {
        var store = await StateStore.OpenAsync(DatabasePath, CancellationToken.None);
        var container = new ContainerSpec(null, ContainerSpec.MultiModel, "s3://bucket/models/", new Dictionary<string, string>(), null);

        Assert.True(await store.TryAddModelAsync(new ModelResource("m1", "arn:model/m1", Created, container, null), CancellationToken.None));
        Assert.False(await store.TryAddModelAsync(new ModelResource("M1", "arn:model/m1", Created, container, null), CancellationToken.None));
        Assert.Single(await store.ListModelsAsync(CancellationToken.None));
        Assert.True(await store.DeleteModelAsync("M1", CancellationToken.None));
        Assert.False(await store.DeleteModelAsync("m1", CancellationToken.None));
    }

    [Fact]
    public async Task Replacing_an_endpoint_keeps_every_field_and_a_missing_one_is_not_created()
    {
        var store = await StateStore.OpenAsync(DatabasePath, CancellationToken.None);
        var container = new ContainerSpec(null, ContainerSpec.SingleModel, "s3://bucket/model.tar.gz", new Dictionary<string, string>(), null);
        var deployment = new EndpointDeployment("cfg", 1, [new VariantDeployment("v", "m", "ml.c5.large", 1, 1.0, container)]);
        var endpoint = new EndpointResource("ep", "arn:endpoint/ep", EndpointStatus.InService, null, Created, Created, deployment, null);
        Assert.True(await store.TryAddEndpointAsync(endpoint, CancellationToken.None));

        var pending = deployment with { ConfigName = "cfg2", Generation = 2 };
        Assert.True(await store.ReplaceEndpointAsync(endpoint with { Status = EndpointStatus.Updating, Pending = pending, FailureReason = "why" }, CancellationToken.None));
        Assert.False(await store.ReplaceEndpointAsync(endpoint with { Name = "other" }, CancellationToken.None));

        var read = await store.GetEndpointAsync("ep", CancellationToken.None);
        Assert.Equal(EndpointStatus.Updating, read!.Status);
        Assert.Equal("why", read.FailureReason);
        Assert.Equal("cfg2", read.Pending!.ConfigName);
        Assert.Equal(2, read.Pending.Generation);
        Assert.Null(await store.GetEndpointAsync("other", CancellationToken.None));
    }

    [Fact]
    public async Task A_database_from_a_newer_version_is_refused_with_what_to_do()
    {
        await StateStore.OpenAsync(DatabasePath, CancellationToken.None);
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {StateSchema.Current + 1};";
            await command.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StateStore.OpenAsync(DatabasePath, CancellationToken.None));
        Assert.Contains("newer than this OpenMME", e.Message, StringComparison.Ordinal);
        Assert.Contains("--state-dir", e.Message, StringComparison.Ordinal);
    }

    private async Task<long> UserVersionAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
