using Npgsql;

namespace Pipelines.PostgreSql;

/// <summary>Output operations that write batches to PostgreSQL exactly once per batch time.</summary>
public static class PostgreSqlSinkExtensions
{
    /// <summary>
    /// Writes each batch to PostgreSQL with binary <c>COPY</c> as <paramref name="table"/> maps it (appended, or upserted
    /// with <c>ON CONFLICT</c>), in one transaction with a progress row (sink, batch time, application id) in
    /// <c>pipelines_batches</c>, so a batch replayed after recovery from a checkpoint is skipped: with checkpoints, the
    /// table sees every batch exactly once. Another application writing under the same sink name fails its batch with
    /// an <see cref="InvalidOperationException"/>. This is the shared protocol of <see cref="DbBatchWriter{T}"/>.
    /// </summary>
    /// <param name="stream">The stream to write.</param>
    /// <param name="dataSource">Where to connect (<c>NpgsqlDataSource.Create(connectionString)</c>).</param>
    /// <param name="sinkName">Identifies this output in the progress table; keep it stable across restarts.</param>
    /// <param name="table">The table and how records map to its columns.</param>
    /// <param name="schema">SQL run once before the first batch (e.g. <c>CREATE TABLE IF NOT EXISTS ...</c>), or <c>null</c>.</param>
    /// <example>
    /// <code>
    /// await using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Username=app;Database=analytics");
    /// counts.SaveToPostgreSql(dataSource, "word-totals",
    ///     new PostgreSqlTable&lt;(string Word, long Count)&gt;("word_totals")
    ///         .Map("word", NpgsqlDbType.Text, r => r.Word)
    ///         .Map("n", NpgsqlDbType.Bigint, r => r.Count)
    ///         .UpsertOn(["word"], "n = word_totals.n + EXCLUDED.n"),
    ///     schema: "CREATE TABLE IF NOT EXISTS word_totals (word text PRIMARY KEY, n bigint NOT NULL)");
    /// </code>
    /// </example>
    public static void SaveToPostgreSql<T>(this DStream<T> stream, NpgsqlDataSource dataSource, string sinkName, PostgreSqlTable<T> table, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        stream.SaveToPostgreSql(dataSource, sinkName, (transaction, batch, time, cancellationToken) => table.WriteAsync(transaction.Connection!, batch, time, cancellationToken), schema);
    }

    /// <summary>
    /// Writes each batch to PostgreSQL with <paramref name="write"/>, in one transaction with a progress row (sink, batch
    /// time, application id) in <c>pipelines_batches</c>, so a batch replayed after recovery is skipped. Use it for
    /// writes the table mapping does not cover; run every command on <c>transaction.Connection</c>.
    /// </summary>
    /// <param name="stream">The stream to write.</param>
    /// <param name="dataSource">Where to connect.</param>
    /// <param name="sinkName">Identifies this output in the progress table; keep it stable across restarts.</param>
    /// <param name="write">Writes one batch's records inside the transaction it is given (do not commit it).</param>
    /// <param name="schema">SQL run once before the first batch, or <c>null</c>.</param>
    public static void SaveToPostgreSql<T>(this DStream<T> stream, NpgsqlDataSource dataSource, string sinkName, Func<NpgsqlTransaction, Batch<T>, BatchTime, CancellationToken, ValueTask> write, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentNullException.ThrowIfNull(write);
        stream.SaveToDatabase(
            dataSource,
            sinkName,
            (transaction, batch, time, cancellationToken) => write((NpgsqlTransaction)transaction, batch, time, cancellationToken),
            CreateOptions(schema));
    }

    /// <summary>
    /// A <see cref="DbBatchWriter{T}"/> for PostgreSQL (its dialect serializes writers of a sink with an advisory lock),
    /// to apply batches yourself, e.g. from <c>ForEachBatch</c>.
    /// </summary>
    /// <param name="dataSource">Where to connect.</param>
    /// <param name="sinkName">Identifies this output in the progress table; keep it stable across restarts.</param>
    /// <param name="applicationId">The application writing (usually <see cref="StreamingContext.ApplicationId"/>).</param>
    /// <param name="table">The table and how records map to its columns.</param>
    /// <param name="schema">SQL run once before the first batch, or <c>null</c>.</param>
    public static DbBatchWriter<T> CreateBatchWriter<T>(NpgsqlDataSource dataSource, string sinkName, string applicationId, PostgreSqlTable<T> table, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new DbBatchWriter<T>(
            dataSource,
            sinkName,
            applicationId,
            (transaction, batch, time, cancellationToken) => table.WriteAsync((NpgsqlConnection)transaction.Connection!, batch, time, cancellationToken),
            CreateOptions(schema));
    }

    private static DbBatchWriterOptions CreateOptions(string? schema) => new() { Schema = schema, Dialect = PostgreSqlSinkDialect.Instance };
}
