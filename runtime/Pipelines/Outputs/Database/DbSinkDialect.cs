using System.Data.Common;

namespace Pipelines;

/// <summary>
/// What differs between databases in the exactly-once protocol of <see cref="DbBatchWriter{T}"/>: how the progress
/// table is created, how a transaction begins and how writers of one sink are serialized. The default uses portable
/// SQL (<c>CREATE TABLE IF NOT EXISTS</c>, <c>@name</c> parameters) that SQLite, PostgreSQL and MySQL accept;
/// connector packages derive from it for their database.
/// </summary>
public class DbSinkDialect
{
    /// <summary>The portable dialect.</summary>
    public static DbSinkDialect Default { get; } = new();

    /// <summary>The database's name in error messages, e.g. <c>PostgreSQL</c>.</summary>
    public virtual string DisplayName => "database";

    /// <summary>The prefix of named parameters in the protocol's statements (default <c>@</c>).</summary>
    public virtual string ParameterPrefix => "@";

    /// <summary>
    /// Creates the progress table <paramref name="table"/> when it is missing: columns <c>sink</c> (text),
    /// <c>batch_time</c> (64-bit integer, Unix milliseconds), <c>records</c> (64-bit integer) and
    /// <c>application_id</c> (text), primary key (<c>sink</c>, <c>batch_time</c>). Runs once per writer, before the
    /// first batch, outside the batch transactions.
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="table">The progress table's name.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    public virtual async Task CreateProgressTableAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(table);
        await using var create = connection.CreateCommand();
        create.CommandText =
            $"CREATE TABLE IF NOT EXISTS {table} (sink TEXT NOT NULL, batch_time BIGINT NOT NULL, records BIGINT NOT NULL, application_id TEXT, PRIMARY KEY (sink, batch_time))";
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await UpgradeProgressTableAsync(connection, table, cancellationToken).ConfigureAwait(false);
        await using var index = connection.CreateCommand();
        index.CommandText = $"CREATE INDEX IF NOT EXISTS {table}_application ON {table} (sink, application_id)";
        await index.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Called by <see cref="CreateProgressTableAsync"/> after the table exists and before its index is created:
    /// brings a progress table written by an earlier version up to date (e.g. adds <c>application_id</c>). The default
    /// does nothing.
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="table">The progress table's name.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    protected virtual Task UpgradeProgressTableAsync(DbConnection connection, string table, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Begins the transaction of one batch (default: the provider's default isolation level).</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.BeginTransactionAsync(cancellationToken);
    }

    /// <summary>
    /// Called first in each batch transaction: serializes the writers of <paramref name="sinkName"/> until the
    /// transaction ends, so that two applications starting at once cannot both pass the ownership check (e.g. an
    /// advisory lock in PostgreSQL). The default does nothing, which suits databases whose write transactions are
    /// already serialized (SQLite's <c>BEGIN IMMEDIATE</c>).
    /// </summary>
    /// <param name="transaction">The batch's transaction.</param>
    /// <param name="sinkName">The sink being written.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task LockSinkAsync(DbTransaction transaction, string sinkName, CancellationToken cancellationToken) => Task.CompletedTask;
}
