namespace OpenMme.ControlPlane.State;

/// <summary>
/// The state database's schema as migrations: migration <c>i</c> takes a database at
/// <c>PRAGMA user_version</c> <c>i</c> to <c>i + 1</c>, in the same transaction that sets the new version,
/// so a database is always at one version or the next, never between.
/// </summary>
internal static class StateSchema
{
    public static IReadOnlyList<string> Migrations { get; } =
    [
        // 0 -> 1: the three resources. Names are unique ignoring case, as on SageMaker. Nested parts
        // (a container, a config's variants, a deployment) are JSON: they are read and written whole.
        """
        CREATE TABLE models (
            name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            arn TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            container TEXT NOT NULL,
            execution_role_arn TEXT
        );
        CREATE TABLE endpoint_configs (
            name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            arn TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            variants TEXT NOT NULL
        );
        CREATE TABLE endpoints (
            name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            arn TEXT NOT NULL,
            status TEXT NOT NULL,
            failure_reason TEXT,
            created_ms INTEGER NOT NULL,
            modified_ms INTEGER NOT NULL,
            deployment TEXT NOT NULL,
            pending TEXT
        );
        """,
    ];

    /// <summary>The version this build writes.</summary>
    public static int Current => Migrations.Count;
}
