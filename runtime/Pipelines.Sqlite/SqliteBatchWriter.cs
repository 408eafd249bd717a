using Microsoft.Data.Sqlite;

namespace Pipelines.Sqlite;

/// <summary>
/// Writes batches to a SQLite database exactly once per batch time: the records and a row recording the batch
/// time in the table <c>pipelines_batches</c> are written in one transaction, and a batch whose time is already
/// recorded for this sink (a batch replayed after recovery) is skipped. Used by
/// <see cref="SqliteSinkExtensions.SaveToSqlite{T}(DStream{T}, string, string, Action{SqliteTransaction, Batch{T}, BatchTime}, string?)"/>.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
public sealed class SqliteBatchWriter<T>
{
    /// <summary>The table that records which batches each sink applied.</summary>
    public const string BatchesTable = "pipelines_batches";

    private readonly string _connectionString;
    private readonly Action<SqliteTransaction, Batch<T>, BatchTime> _write;
    private readonly string? _schema;
    private bool _schemaReady;

    /// <summary>Creates a writer.</summary>
    /// <param name="connectionString">The SQLite connection string, e.g. <c>Data Source=/data/out.db</c>.</param>
    /// <param name="sinkName">Identifies this sink in <c>pipelines_batches</c>; keep it stable across restarts.</param>
    /// <param name="write">Writes one batch's records with commands enlisted in the given transaction.</param>
    /// <param name="schema">SQL run once before the first batch (e.g. <c>CREATE TABLE IF NOT EXISTS ...</c>), or <c>null</c>.</param>
    public SqliteBatchWriter(string connectionString, string sinkName, Action<SqliteTransaction, Batch<T>, BatchTime> write, string? schema = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentNullException.ThrowIfNull(write);
        _connectionString = connectionString;
        SinkName = sinkName;
        _write = write;
        _schema = schema;
    }

    /// <summary>The sink's name in <c>pipelines_batches</c>.</summary>
    public string SinkName { get; }

    /// <summary>
    /// Applies <paramref name="batch"/> unless the batch at <paramref name="time"/> was applied before. Returns
    /// whether it was applied now. When <c>write</c> throws, nothing of the batch is kept.
    /// </summary>
    public bool Write(Batch<T> batch, BatchTime time)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        EnsureSchema(connection);
        using var transaction = connection.BeginTransaction(deferred: false);
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
            record.CommandText = $"INSERT INTO {BatchesTable} (sink, batch_time, records) VALUES ($sink, $time, $records)";
            record.Parameters.AddWithValue("$sink", SinkName);
            record.Parameters.AddWithValue("$time", time.Milliseconds);
            record.Parameters.AddWithValue("$records", batch.Count);
            record.ExecuteNonQuery();
        }

        transaction.Commit();
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

    private void EnsureSchema(SqliteConnection connection)
    {
        if (_schemaReady)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText =
            $"CREATE TABLE IF NOT EXISTS {BatchesTable} (sink TEXT NOT NULL, batch_time INTEGER NOT NULL, records INTEGER NOT NULL, PRIMARY KEY (sink, batch_time));" +
            (_schema ?? string.Empty);
        command.ExecuteNonQuery();
        _schemaReady = true;
    }
}
