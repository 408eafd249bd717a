using Microsoft.Data.Sqlite;

namespace Pipelines.Sqlite;

/// <summary>Output operations that write batches to SQLite exactly once per batch time.</summary>
public static class SqliteSinkExtensions
{
    /// <summary>
    /// Writes each batch to SQLite in one transaction together with its batch time (in <c>pipelines_batches</c>),
    /// so a batch replayed after recovery from a checkpoint is not applied twice: with checkpoints, the database
    /// sees every batch exactly once. Each row also records <see cref="StreamingContext.ApplicationId"/>: another
    /// application writing under the same sink name fails its batch with an <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <param name="stream">The stream to write.</param>
    /// <param name="connectionString">The SQLite connection string, e.g. <c>Data Source=/data/out.db</c>.</param>
    /// <param name="sinkName">Identifies this output in <c>pipelines_batches</c>; keep it stable across restarts.</param>
    /// <param name="write">Writes one batch's records with commands enlisted in the transaction it is given.</param>
    /// <param name="schema">SQL run once before the first batch (e.g. <c>CREATE TABLE IF NOT EXISTS ...</c>), or <c>null</c>.</param>
    /// <example>
    /// <code>
    /// counts.SaveToSqlite("Data Source=counts.db", "word-totals", (transaction, batch, time) =>
    /// {
    ///     using var command = transaction.Connection!.CreateCommand();
    ///     command.Transaction = transaction;
    ///     command.CommandText = "INSERT INTO totals (word, n) VALUES ($w, $n) ON CONFLICT (word) DO UPDATE SET n = n + excluded.n";
    ///     var word = command.Parameters.Add("$w", SqliteType.Text);
    ///     var n = command.Parameters.Add("$n", SqliteType.Integer);
    ///     foreach (var (w, c) in batch) { word.Value = w; n.Value = c; command.ExecuteNonQuery(); }
    /// }, schema: "CREATE TABLE IF NOT EXISTS totals (word TEXT PRIMARY KEY, n INTEGER NOT NULL);");
    /// </code>
    /// </example>
    public static void SaveToSqlite<T>(this DStream<T> stream, string connectionString, string sinkName, Action<SqliteTransaction, Batch<T>, BatchTime> write, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentNullException.ThrowIfNull(write);

        // The application id is read at the first batch: a checkpointing context knows it (from its checkpoint) once started.
        SqliteBatchWriter<T>? writer = null;
        stream.ForEachBatch((batch, time) =>
        {
            writer ??= new SqliteBatchWriter<T>(connectionString, sinkName, stream.Context.ApplicationId, write, schema);
            writer.Write(batch, time);
        });
    }

    /// <summary>
    /// Writes each batch to SQLite by running <paramref name="statement"/> once per record (after
    /// <paramref name="bind"/> set its parameters), in one transaction with the batch time, so a replayed batch
    /// is not applied twice.
    /// </summary>
    /// <param name="stream">The stream to write.</param>
    /// <param name="connectionString">The SQLite connection string.</param>
    /// <param name="sinkName">Identifies this output in <c>pipelines_batches</c>; keep it stable across restarts.</param>
    /// <param name="statement">A parameterized statement, e.g. <c>INSERT INTO t (a, b) VALUES ($a, $b)</c>.</param>
    /// <param name="bind">Sets the statement's parameters for one record (and its batch time).</param>
    /// <param name="schema">SQL run once before the first batch, or <c>null</c>.</param>
    public static void SaveToSqlite<T>(this DStream<T> stream, string connectionString, string sinkName, string statement, Action<SqliteParameterCollection, T, BatchTime> bind, string? schema = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(statement);
        ArgumentNullException.ThrowIfNull(bind);
        stream.SaveToSqlite(connectionString, sinkName, (transaction, batch, time) =>
        {
            using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement;
            foreach (var record in batch)
            {
                command.Parameters.Clear();
                bind(command.Parameters, record, time);
                command.ExecuteNonQuery();
            }
        }, schema);
    }
}
