using System.Data.Common;

namespace Pipelines.PostgreSql;

/// <summary>
/// PostgreSQL's side of the exactly-once protocol of <see cref="DbBatchWriter{T}"/>: writers of one sink are serialized
/// by a transaction-scoped advisory lock on the sink's name (so two applications starting at once cannot both pass the
/// ownership check under READ COMMITTED), and concurrent creations of the progress table by another advisory lock.
/// </summary>
internal sealed class PostgreSqlSinkDialect : DbSinkDialect
{
    public static PostgreSqlSinkDialect Instance { get; } = new();

    public override string DisplayName => "PostgreSQL";

    public override async Task CreateProgressTableAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockTable = connection.CreateCommand())
        {
            lockTable.Transaction = transaction;
            lockTable.CommandText = "SELECT pg_advisory_xact_lock(hashtextextended(@table, 1))";
            var parameter = lockTable.CreateParameter();
            parameter.ParameterName = "@table";
            parameter.Value = table;
            lockTable.Parameters.Add(parameter);
            await lockTable.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await base.CreateProgressTableAsync(connection, table, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task LockSinkAsync(DbTransaction transaction, string sinkName, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT pg_advisory_xact_lock(hashtextextended(@sink, 0))";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@sink";
        parameter.Value = sinkName;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
