using System.Data.Common;

namespace Pipelines;

/// <summary>
/// Writes batches to a database through ADO.NET exactly once per batch time: the batch's records and a progress row
/// (sink name, batch time, record count, application id) in the progress table (<c>pipelines_batches</c> by default)
/// are written in one transaction, and a batch whose time is already recorded for this sink (a batch replayed after
/// recovery from a checkpoint) is skipped. A sink name belongs to the application that first wrote it: another
/// application writing under it gets an <see cref="InvalidOperationException"/>, never a silent skip. Works with any
/// provider that has a <see cref="DbDataSource"/> (SQLite, PostgreSQL, ...); the SQLite and PostgreSQL sinks are
/// built on it. Used by <see cref="DbSinkExtensions.SaveToDatabase{T}"/>.
/// </summary>
/// <remarks>
/// The protocol needs the records' write and the progress row in the same transaction, so <c>write</c> must enlist
/// every command in the transaction it is given (<c>command.Transaction = transaction</c>) and must not commit it.
/// Rows of the progress table written without an application (by an earlier version) are claimed by the first
/// application that writes to that sink afterwards.
/// </remarks>
/// <typeparam name="T">The type of the records.</typeparam>
/// <example>
/// <code>
/// var writer = new DbBatchWriter&lt;(string Word, long Count)&gt;(dataSource, "word-totals", ssc.ApplicationId, async (transaction, batch, time, token) =>
/// {
///     await using var command = transaction.Connection!.CreateCommand();
///     command.Transaction = transaction;
///     command.CommandText = "INSERT INTO totals (word, n) VALUES (@w, @n)";
///     // ... add parameters, execute once per record
/// });
/// bool applied = await writer.WriteAsync(batch, time);
/// </code>
/// </example>
public sealed class DbBatchWriter<T>
{
    private readonly DbDataSource _dataSource;
    private readonly Func<DbTransaction, Batch<T>, BatchTime, CancellationToken, ValueTask> _write;
    private readonly DbBatchWriterOptions _options;
    private readonly string _p;
    private bool _schemaReady;
    private bool _ownershipChecked;

    /// <summary>Creates a writer.</summary>
    /// <param name="dataSource">Where to connect; the writer opens one connection per batch.</param>
    /// <param name="sinkName">Identifies this sink in the progress table; keep it stable across restarts.</param>
    /// <param name="applicationId">The application writing (usually <see cref="StreamingContext.ApplicationId"/>); keep it stable across restarts.</param>
    /// <param name="write">Writes one batch's records with commands enlisted in the given transaction.</param>
    /// <param name="options">The progress table, schema and dialect; <c>null</c> for the defaults.</param>
    public DbBatchWriter(DbDataSource dataSource, string sinkName, string applicationId, Func<DbTransaction, Batch<T>, BatchTime, CancellationToken, ValueTask> write, DbBatchWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentException.ThrowIfNullOrEmpty(sinkName);
        ArgumentException.ThrowIfNullOrEmpty(applicationId);
        ArgumentNullException.ThrowIfNull(write);
        _dataSource = dataSource;
        SinkName = sinkName;
        ApplicationId = applicationId;
        _write = write;
        _options = options ?? new DbBatchWriterOptions();
        _p = _options.Dialect.ParameterPrefix;
    }

    /// <summary>The sink's name in the progress table.</summary>
    public string SinkName { get; }

    /// <summary>The application recorded with each batch in the progress table.</summary>
    public string ApplicationId { get; }

    /// <summary>The progress table.</summary>
    public string ProgressTable => _options.ProgressTable;

    /// <summary>
    /// Applies <paramref name="batch"/> unless the batch at <paramref name="time"/> was applied before. Returns whether
    /// it was applied now. When <c>write</c> throws, the transaction is rolled back: nothing of the batch is kept.
    /// </summary>
    /// <param name="batch">The batch's records.</param>
    /// <param name="time">The batch's time: the key of the exactly-once protocol.</param>
    /// <param name="cancellationToken">Cancels the write; the transaction is then rolled back.</param>
    /// <exception cref="InvalidOperationException">Another application has written under this sink name in this database.</exception>
    public async Task<bool> WriteAsync(Batch<T> batch, BatchTime time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var transaction = await _options.Dialect.BeginTransactionAsync(connection, cancellationToken).ConfigureAwait(false);
        await _options.Dialect.LockSinkAsync(transaction, SinkName, cancellationToken).ConfigureAwait(false);
        await CheckOwnershipAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (await IsAppliedAsync(connection, transaction, time, cancellationToken).ConfigureAwait(false))
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await _write(transaction, batch, time, cancellationToken).ConfigureAwait(false);
        await using (var record = connection.CreateCommand())
        {
            record.Transaction = transaction;
            record.CommandText = $"INSERT INTO {ProgressTable} (sink, batch_time, records, application_id) VALUES ({_p}sink, {_p}time, {_p}records, {_p}application)";
            AddParameter(record, "sink", SinkName);
            AddParameter(record, "time", time.Milliseconds);
            AddParameter(record, "records", (long)batch.Count);
            AddParameter(record, "application", ApplicationId);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _ownershipChecked = true;
        return true;
    }

    /// <summary>Whether the batch at <paramref name="time"/> was applied by this sink.</summary>
    /// <param name="time">The batch time.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<bool> IsAppliedAsync(BatchTime time, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
        return await IsAppliedAsync(connection, null, time, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsAppliedAsync(DbConnection connection, DbTransaction? transaction, BatchTime time, CancellationToken cancellationToken)
    {
        await using var applied = connection.CreateCommand();
        applied.Transaction = transaction;
        applied.CommandText = $"SELECT 1 FROM {ProgressTable} WHERE sink = {_p}sink AND batch_time = {_p}time";
        AddParameter(applied, "sink", SinkName);
        AddParameter(applied, "time", time.Milliseconds);
        return await applied.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not (null or DBNull);
    }

    /// <summary>
    /// Fails when another application has rows under this sink name; on the first write, claims the rows an earlier
    /// version wrote without an application. Runs inside the batch's transaction, after the dialect's sink lock, so
    /// two writers starting at once are serialized and the second one sees the first one's rows.
    /// </summary>
    private async Task CheckOwnershipAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var other = connection.CreateCommand())
        {
            other.Transaction = transaction;
            other.CommandText = $"SELECT application_id FROM {ProgressTable} WHERE sink = {_p}sink AND application_id <> {_p}application";
            AddParameter(other, "sink", SinkName);
            AddParameter(other, "application", ApplicationId);
            string? owner = null;
            await using (var reader = await other.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    owner = reader.GetString(0);
                }
            }

            if (owner is not null)
            {
                throw new InvalidOperationException(
                    $"The {_options.Dialect.DisplayName} sink '{SinkName}' (table {ProgressTable} in '{connection.DataSource}/{connection.Database}') holds batches written by application '{owner}', and this is application '{ApplicationId}'. " +
                    $"Two applications must not share a sink name, or each would skip the other's batch times: give this output its own sink name. If it is the same application (its checkpoint folder was deleted or moved), set StreamingOptions.ApplicationId = \"{owner}\".");
            }
        }

        if (_ownershipChecked)
        {
            return;
        }

        await using var claim = connection.CreateCommand();
        claim.Transaction = transaction;
        claim.CommandText = $"UPDATE {ProgressTable} SET application_id = {_p}application WHERE sink = {_p}sink AND application_id IS NULL";
        AddParameter(claim, "sink", SinkName);
        AddParameter(claim, "application", ApplicationId);
        await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureSchemaAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await _options.Dialect.CreateProgressTableAsync(connection, ProgressTable, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(_options.Schema))
        {
            await using var schema = connection.CreateCommand();
            schema.CommandText = _options.Schema;
            await schema.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _schemaReady = true;
    }

    private void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = _p + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
