using Microsoft.Data.Sqlite;

namespace Pipelines.Sqlite;

/// <summary>
/// Writes batches to a SQLite database exactly once per batch time: the records and a row recording the sink, the
/// application and the batch time in the table <c>pipelines_batches</c> are written in one transaction, and a batch
/// whose time is already recorded for this sink (a batch replayed after recovery) is skipped. A sink name belongs to
/// the application that first wrote it: another application writing under it gets an
/// <see cref="InvalidOperationException"/>, never a silent skip. Used by
/// <see cref="SqliteSinkExtensions.SaveToSqlite{T}(DStream{T}, string, string, Action{SqliteTransaction, Batch{T}, BatchTime}, string?)"/>.
/// </summary>
/// <remarks>
/// A <c>pipelines_batches</c> table of an earlier version (without <c>application_id</c>) is upgraded in place: the
/// column is added, and the rows of a sink are claimed by the first application that writes to that sink afterwards.
/// </remarks>
/// <typeparam name="T">The type of the records.</typeparam>
public sealed class SqliteBatchWriter<T>
{
    /// <summary>The table that records which batches each sink applied, and for which application.</summary>
    public const string BatchesTable = "pipelines_batches";

    private readonly string _connectionString;
    private readonly Action<SqliteTransaction, Batch<T>, BatchTime> _write;
    private readonly string? _schema;
    private bool _schemaReady;
    private bool _ownershipChecked;

    /// <summary>Creates a writer.</summary>
    /// <param name="connectionString">The SQLite connection string, e.g. <c>Data Source=/data/out.db</c>.</param>
    /// <param name="sinkName">Identifies this sink in <c>pipelines_batches</c>; keep it stable across restarts.</param>
    /// <param name="applicationId">The application writing (usually <see cref="StreamingContext.ApplicationId"/>); keep it stable across restarts.</param>
    /// <param name="write">Writes one batch's records with commands enlisted in the given transaction.</param>
    /// <param name="schema">SQL run once before the first batch (e.g. <c>CREATE TABLE IF NOT EXISTS ...</c>), or <c>null</c>.</param>
    public SqliteBatchWriter(string connectionString, string sinkName, string applicationId, Action<SqliteTransaction, Batch<T>, BatchTime> write, string? schema = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentException.ThrowIfNullOrEmpty(applicationId);
        ArgumentNullException.ThrowIfNull(write);
        _connectionString = connectionString;
        SinkName = sinkName;
        ApplicationId = applicationId;
        _write = write;
        _schema = schema;
    }

    /// <summary>The sink's name in <c>pipelines_batches</c>.</summary>
    public string SinkName { get; }

    /// <summary>The application recorded with each batch in <c>pipelines_batches</c>.</summary>
    public string ApplicationId { get; }

    /// <summary>
    /// Applies <paramref name="batch"/> unless the batch at <paramref name="time"/> was applied before. Returns
    /// whether it was applied now. When <c>write</c> throws, nothing of the batch is kept.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another application has written under this sink name in this database.</exception>
    public bool Write(Batch<T> batch, BatchTime time)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        EnsureSchema(connection);
        using var transaction = connection.BeginTransaction(deferred: false);
        CheckOwnership(connection, transaction);
        using (var applied = connection.CreateCommand())
        {
            applied.Transaction = transaction;
            applied.CommandText = $"SELECT 1 FROM {BatchesTable} WHERE sink = $sink AND batch_time = $time";
            applied.Parameters.AddWithValue("$sink", SinkName);
            applied.Parameters.AddWithValue("$time", time.Milliseconds);
            if (applied.ExecuteScalar() is not null)
            {
                transaction.Rollback();
                return false;
            }
        }

        _write(transaction, batch, time);
        using (var record = connection.CreateCommand())
        {
            record.Transaction = transaction;
            record.CommandText = $"INSERT INTO {BatchesTable} (sink, batch_time, records, application_id) VALUES ($sink, $time, $records, $application)";
            record.Parameters.AddWithValue("$sink", SinkName);
            record.Parameters.AddWithValue("$time", time.Milliseconds);
            record.Parameters.AddWithValue("$records", batch.Count);
            record.Parameters.AddWithValue("$application", ApplicationId);
            record.ExecuteNonQuery();
        }

        transaction.Commit();
        _ownershipChecked = true;
        return true;
    }

    /// <summary>Whether the batch at <paramref name="time"/> was applied by this sink.</summary>
    public bool IsApplied(BatchTime time)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        EnsureSchema(connection);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT 1 FROM {BatchesTable} WHERE sink = $sink AND batch_time = $time";
        command.Parameters.AddWithValue("$sink", SinkName);
        command.Parameters.AddWithValue("$time", time.Milliseconds);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>
    /// Fails when another application has rows under this sink name; on the first write, claims the rows an
    /// earlier version wrote without an application. Runs inside the batch's (immediate) transaction, so two
    /// writers starting at once are serialized and the second one sees the first one's rows.
    /// </summary>
    private void CheckOwnership(SqliteConnection connection, SqliteTransaction transaction)
    {
        using (var other = connection.CreateCommand())
        {
            other.Transaction = transaction;
            other.CommandText =
                $"SELECT COALESCE((SELECT application_id FROM {BatchesTable} WHERE sink = $sink AND application_id < $application LIMIT 1), " +
                $"(SELECT application_id FROM {BatchesTable} WHERE sink = $sink AND application_id > $application LIMIT 1))";
            other.Parameters.AddWithValue("$sink", SinkName);
            other.Parameters.AddWithValue("$application", ApplicationId);
            if (other.ExecuteScalar() is string owner)
            {
                throw new InvalidOperationException(
                    $"The SQLite sink '{SinkName}' (table {BatchesTable} in '{connection.DataSource}') holds batches written by application '{owner}', and this is application '{ApplicationId}'. " +
                    $"Two applications must not share a sink name, or each would skip the other's batch times: give this output its own sink name. If it is the same application (its checkpoint folder was deleted or moved), set StreamingOptions.ApplicationId = \"{owner}\".");
            }
        }

        if (_ownershipChecked)
        {
            return;
        }

        using var claim = connection.CreateCommand();
        claim.Transaction = transaction;
        claim.CommandText = $"UPDATE {BatchesTable} SET application_id = $application WHERE sink = $sink AND application_id IS NULL";
        claim.Parameters.AddWithValue("$sink", SinkName);
        claim.Parameters.AddWithValue("$application", ApplicationId);
        claim.ExecuteNonQuery();
    }

    private void EnsureSchema(SqliteConnection connection)
    {
        if (_schemaReady)
        {
            return;
        }

        using (var create = connection.CreateCommand())
        {
            create.CommandText =
                $"CREATE TABLE IF NOT EXISTS {BatchesTable} (sink TEXT NOT NULL, batch_time INTEGER NOT NULL, records INTEGER NOT NULL, application_id TEXT, PRIMARY KEY (sink, batch_time));";
            create.ExecuteNonQuery();
        }

        if (!HasApplicationColumn(connection))
        {
            // A table written by an earlier version: add the column; the next writer of each sink claims its rows.
            using var upgrade = connection.CreateCommand();
            upgrade.CommandText = $"ALTER TABLE {BatchesTable} ADD COLUMN application_id TEXT";
            upgrade.ExecuteNonQuery();
        }

        using (var index = connection.CreateCommand())
        {
            index.CommandText = $"CREATE INDEX IF NOT EXISTS {BatchesTable}_application ON {BatchesTable} (sink, application_id);" + (_schema ?? string.Empty);
            index.ExecuteNonQuery();
        }

        _schemaReady = true;
    }

    private static bool HasApplicationColumn(SqliteConnection connection)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = $"SELECT 1 FROM pragma_table_info('{BatchesTable}') WHERE name = 'application_id'";
        return columns.ExecuteScalar() is not null;
    }
}
