using Microsoft.Data.Sqlite;

namespace Pipelines.Sqlite;

/// <summary>
/// Writes batches to a SQLite database exactly once per batch time (the shared protocol of
/// <see cref="DbBatchWriter{T}"/>): the records and a row recording the sink, the
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

    private readonly DbBatchWriter<T> _writer;

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
        SinkName = sinkName;
        ApplicationId = applicationId;

        // The shared protocol (DbBatchWriter); Microsoft.Data.Sqlite runs its async methods synchronously, so the
        // synchronous Write below does not block on I/O it could have overlapped.
        _writer = new DbBatchWriter<T>(
            SqliteFactory.Instance.CreateDataSource(connectionString),
            sinkName,
            applicationId,
            (transaction, batch, time, _) =>
            {
                write((SqliteTransaction)transaction, batch, time);
                return ValueTask.CompletedTask;
            },
            new DbBatchWriterOptions { ProgressTable = BatchesTable, Schema = schema, Dialect = SqliteSinkDialect.Instance });
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
        return _writer.WriteAsync(batch, time).GetAwaiter().GetResult();
    }

    /// <summary>Whether the batch at <paramref name="time"/> was applied by this sink.</summary>
    public bool IsApplied(BatchTime time) => _writer.IsAppliedAsync(time).GetAwaiter().GetResult();
}
