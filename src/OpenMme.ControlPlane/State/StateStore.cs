using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace OpenMme.ControlPlane.State;

/// <summary>
/// The control plane's state in SQLite: one file, <c>state.db</c>, in write-ahead-log mode with full
/// synchronous commits, so a committed change survives a SIGKILL or power loss and an uncommitted one
/// leaves no trace. Every change is one statement or one transaction. Connections are opened per
/// call (Microsoft.Data.Sqlite pools them), so callers on any thread may share one store.
/// </summary>
internal sealed class StateStore
{
    private readonly string _connectionString;

    private StateStore(string connectionString) => _connectionString = connectionString;

    /// <summary>The schema version of the open database.</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>Opens (creating the folder and file if need be) and migrates the database at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">The database was written by a newer OpenMME.</exception>
    public static async Task<StateStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
        var store = new StateStore(connectionString);
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        var version = Convert.ToInt32(await ScalarAsync(connection, null, "PRAGMA user_version;", cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (version > StateSchema.Current)
        {
            throw new InvalidOperationException(
                $"The state database {path} has schema version {version}, newer than this OpenMME's {StateSchema.Current}: run a newer OpenMME, or give another --state-dir.");
        }

        for (; version < StateSchema.Current; version++)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, StateSchema.Migrations[version], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"PRAGMA user_version = {version + 1};", cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        store.SchemaVersion = version;
        return store;
    }

    /// <summary>Adds a model; false when one of that name (ignoring case) exists.</summary>
    public Task<bool> TryAddModelAsync(ModelResource model, CancellationToken cancellationToken) => TryInsertAsync(
        "INSERT INTO models (name, arn, created_ms, container, execution_role_arn) VALUES ($name, $arn, $created, $container, $role) ON CONFLICT(name) DO NOTHING;",
        [("$name", model.Name), ("$arn", model.Arn), ("$created", model.CreationTime.ToUnixTimeMilliseconds()),
            ("$container", JsonSerializer.Serialize(model.Container, StateJsonContext.Default.ContainerSpec)), ("$role", model.ExecutionRoleArn)],
        cancellationToken);

    public async Task<ModelResource?> GetModelAsync(string name, CancellationToken cancellationToken) =>
        (await QueryModelsAsync("WHERE name = $name", name, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<List<ModelResource>> ListModelsAsync(CancellationToken cancellationToken) => QueryModelsAsync(string.Empty, null, cancellationToken);

    public Task<bool> DeleteModelAsync(string name, CancellationToken cancellationToken) => DeleteAsync("models", name, cancellationToken);

    public Task<bool> TryAddEndpointConfigAsync(EndpointConfigResource config, CancellationToken cancellationToken) => TryInsertAsync(
        "INSERT INTO endpoint_configs (name, arn, created_ms, variants) VALUES ($name, $arn, $created, $variants) ON CONFLICT(name) DO NOTHING;",
        [("$name", config.Name), ("$arn", config.Arn), ("$created", config.CreationTime.ToUnixTimeMilliseconds()),
            ("$variants", JsonSerializer.Serialize(config.Variants.ToList(), StateJsonContext.Default.ListProductionVariantSpec))],
        cancellationToken);

    public async Task<EndpointConfigResource?> GetEndpointConfigAsync(string name, CancellationToken cancellationToken) =>
        (await QueryConfigsAsync("WHERE name = $name", name, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<List<EndpointConfigResource>> ListEndpointConfigsAsync(CancellationToken cancellationToken) => QueryConfigsAsync(string.Empty, null, cancellationToken);

    public Task<bool> DeleteEndpointConfigAsync(string name, CancellationToken cancellationToken) => DeleteAsync("endpoint_configs", name, cancellationToken);

    /// <summary>Adds an endpoint; false when one of that name (ignoring case) exists.</summary>
    public Task<bool> TryAddEndpointAsync(EndpointResource endpoint, CancellationToken cancellationToken) => TryInsertAsync(
        "INSERT INTO endpoints (name, arn, status, failure_reason, created_ms, modified_ms, deployment, pending) "
        + "VALUES ($name, $arn, $status, $reason, $created, $modified, $deployment, $pending) ON CONFLICT(name) DO NOTHING;",
        EndpointParameters(endpoint), cancellationToken);

    /// <summary>Writes <paramref name="endpoint"/> over the stored one; false when it no longer exists.</summary>
    public Task<bool> ReplaceEndpointAsync(EndpointResource endpoint, CancellationToken cancellationToken) => TryInsertAsync(
        "UPDATE endpoints SET arn = $arn, status = $status, failure_reason = $reason, created_ms = $created, modified_ms = $modified, deployment = $deployment, pending = $pending "
        + "WHERE name = $name;",
        EndpointParameters(endpoint), cancellationToken);

    public async Task<EndpointResource?> GetEndpointAsync(string name, CancellationToken cancellationToken) =>
        (await QueryEndpointsAsync("WHERE name = $name", name, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<List<EndpointResource>> ListEndpointsAsync(CancellationToken cancellationToken) => QueryEndpointsAsync(string.Empty, null, cancellationToken);

    public Task<bool> DeleteEndpointAsync(string name, CancellationToken cancellationToken) => DeleteAsync("endpoints", name, cancellationToken);

    private static (string, object?)[] EndpointParameters(EndpointResource endpoint) =>
    [
        ("$name", endpoint.Name), ("$arn", endpoint.Arn), ("$status", endpoint.Status), ("$reason", endpoint.FailureReason),
        ("$created", endpoint.CreationTime.ToUnixTimeMilliseconds()), ("$modified", endpoint.LastModifiedTime.ToUnixTimeMilliseconds()),
        ("$deployment", JsonSerializer.Serialize(endpoint.Deployment, StateJsonContext.Default.EndpointDeployment)),
        ("$pending", endpoint.Pending is null ? null : JsonSerializer.Serialize(endpoint.Pending, StateJsonContext.Default.EndpointDeployment)),
    ];

    private async Task<List<ModelResource>> QueryModelsAsync(string where, string? name, CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT name, arn, created_ms, container, execution_role_arn FROM models {where} ORDER BY created_ms, rowid;", name, r => new ModelResource(
            r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
            JsonSerializer.Deserialize(r.GetString(3), StateJsonContext.Default.ContainerSpec)!, r.IsDBNull(4) ? null : r.GetString(4)), cancellationToken).ConfigureAwait(false);

    private async Task<List<EndpointConfigResource>> QueryConfigsAsync(string where, string? name, CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT name, arn, created_ms, variants FROM endpoint_configs {where} ORDER BY created_ms, rowid;", name, r => new EndpointConfigResource(
            r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
            JsonSerializer.Deserialize(r.GetString(3), StateJsonContext.Default.ListProductionVariantSpec)!), cancellationToken).ConfigureAwait(false);

    private async Task<List<EndpointResource>> QueryEndpointsAsync(string where, string? name, CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT name, arn, status, failure_reason, created_ms, modified_ms, deployment, pending FROM endpoints {where} ORDER BY created_ms, rowid;", name,
            r => new EndpointResource(
                r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                JsonSerializer.Deserialize(r.GetString(6), StateJsonContext.Default.EndpointDeployment)!,
                r.IsDBNull(7) ? null : JsonSerializer.Deserialize(r.GetString(7), StateJsonContext.Default.EndpointDeployment)), cancellationToken).ConfigureAwait(false);

    private async Task<List<T>> QueryAsync<T>(string sql, string? name, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (name is not null)
        {
            command.Parameters.AddWithValue("$name", name);
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private async Task<bool> TryInsertAsync(string sql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (parameter, value) in parameters)
        {
            command.Parameters.AddWithValue(parameter, value ?? DBNull.Value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<bool> DeleteAsync(string table, string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {table} WHERE name = $name;";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "PRAGMA synchronous=FULL;", cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
