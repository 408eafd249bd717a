using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Pipelines.Sqlite;

/// <summary>
/// SQLite's side of the exactly-once protocol of <see cref="DbBatchWriter{T}"/>: batch transactions begin immediately
/// (<c>BEGIN IMMEDIATE</c>), which serializes writers, and a progress table of an earlier version (without
/// <c>application_id</c>) is upgraded in place.
/// </summary>
internal sealed class SqliteSinkDialect : DbSinkDialect
{
    public static SqliteSinkDialect Instance { get; } = new();

    public override string DisplayName => "SQLite";

    public override ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    protected override async Task UpgradeProgressTableAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var columns = connection.CreateCommand();
        columns.CommandText = $"SELECT 1 FROM pragma_table_info('{table}') WHERE name = 'application_id'";
        if (await columns.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        // A table written by an earlier version: add the column; the next writer of each sink claims its rows.
        await using var upgrade = connection.CreateCommand();
        upgrade.CommandText = $"ALTER TABLE {table} ADD COLUMN application_id TEXT";
        await upgrade.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
