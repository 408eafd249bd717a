using System.Data.Common;

namespace Pipelines;

/// <summary>Output operations that write batches to a database through ADO.NET exactly once per batch time.</summary>
public static class DbSinkExtensions
{
    /// <summary>
    /// Writes each batch to the database of <paramref name="dataSource"/> in one transaction together with a progress
    /// row (sink, batch time, application id), so a batch replayed after recovery from a checkpoint is not applied
    /// twice: with checkpoints, the database sees every batch exactly once (<see cref="DbBatchWriter{T}"/>). Each row
    /// records <see cref="StreamingContext.ApplicationId"/>: another application writing under the same sink name
    /// fails its batch with an <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <param name="stream">The stream to write.</param>
    /// <param name="dataSource">Where to connect (e.g. <c>NpgsqlDataSource.Create(...)</c>, <c>SqliteFactory.Instance.CreateDataSource(...)</c>).</param>
    /// <param name="sinkName">Identifies this output in the progress table; keep it stable across restarts.</param>
    /// <param name="write">Writes one batch's records with commands enlisted in the transaction it is given.</param>
    /// <param name="options">The progress table, schema and dialect; <c>null</c> for the defaults.</param>
    /// <example>
    /// <code>
    /// counts.SaveToDatabase(dataSource, "word-counts", async (transaction, batch, time, token) =>
    /// {
    ///     await using var command = transaction.Connection!.CreateCommand();
    ///     command.Transaction = transaction;
    ///     command.CommandText = "INSERT INTO counts (batch_time, word, n) VALUES (@t, @w, @n)";
    ///     // ... bind and execute per record
    /// }, new DbBatchWriterOptions { Schema = "CREATE TABLE IF NOT EXISTS counts (batch_time BIGINT, word TEXT, n BIGINT)" });
    /// </code>
    /// </example>
    public static void SaveToDatabase<T>(this DStream<T> stream, DbDataSource dataSource, string sinkName, Func<DbTransaction, Batch<T>, BatchTime, CancellationToken, ValueTask> write, DbBatchWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentNullException.ThrowIfNull(write);

        // The application id is read at the first batch: a checkpointing context knows it (from its checkpoint) once started.
        DbBatchWriter<T>? writer = null;
        stream.ForEachBatch(async (batch, time, cancellationToken) =>
        {
            writer ??= new DbBatchWriter<T>(dataSource, sinkName, stream.Context.ApplicationId, write, options);
            await writer.WriteAsync(batch, time, cancellationToken).ConfigureAwait(false);
        });
    }
}
