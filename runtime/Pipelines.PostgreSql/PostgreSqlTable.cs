using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Pipelines.PostgreSql;

/// <summary>
/// How the records of a stream map to the columns of a PostgreSQL table, for the bulk form of
/// <see cref="PostgreSqlSinkExtensions.SaveToPostgreSql{T}(DStream{T}, NpgsqlDataSource, string, PostgreSqlTable{T}, string?)"/>:
/// each batch is sent with binary <c>COPY</c> (PostgreSQL's bulk-load protocol), either appended to the table or, with
/// <see cref="UpsertOn(string[])"/>, merged into it with <c>INSERT ... ON CONFLICT</c>.
/// </summary>
/// <remarks>
/// Table and column names are inserted into the SQL as written: quote them yourself (<c>"Order"</c>) when they need it.
/// </remarks>
/// <typeparam name="T">The type of the records.</typeparam>
/// <example>
/// <code>
/// var totals = new PostgreSqlTable&lt;(string Word, long Count)&gt;("word_totals")
///     .Map("word", NpgsqlDbType.Text, r => r.Word)
///     .Map("n", NpgsqlDbType.Bigint, r => r.Count)
///     .UpsertOn(["word"], "n = word_totals.n + EXCLUDED.n");
/// counts.SaveToPostgreSql(dataSource, "word-totals", totals);
/// </code>
/// </example>
public sealed class PostgreSqlTable<T>
{
    private readonly List<Column> _columns = [];
    private string[] _keys = [];
    private string? _update;

    /// <summary>Starts a mapping to <paramref name="table"/>.</summary>
    /// <param name="table">The table's name (optionally schema-qualified).</param>
    public PostgreSqlTable(string table)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        Table = table;
    }

    /// <summary>The table's name.</summary>
    public string Table { get; }

    /// <summary>The mapped columns, in order.</summary>
    public IReadOnlyList<string> Columns => _columns.ConvertAll(c => c.Name);

    /// <summary>The conflict columns of upsert mode, or empty in insert mode.</summary>
    public IReadOnlyList<string> KeyColumns => _keys;

    /// <summary>Whether batches are merged with <c>INSERT ... ON CONFLICT</c> (<see cref="UpsertOn(string[])"/>) rather than appended.</summary>
    public bool IsUpsert => _keys.Length != 0;

    /// <summary>Maps <paramref name="column"/> to a value of each record.</summary>
    /// <param name="column">The column's name.</param>
    /// <param name="type">The column's PostgreSQL type, as binary COPY needs it exactly.</param>
    /// <param name="value">The record's value for the column (<c>null</c> writes SQL NULL).</param>
    /// <returns>This mapping.</returns>
    public PostgreSqlTable<T> Map<TValue>(string column, NpgsqlDbType type, Func<T, TValue> value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        ArgumentNullException.ThrowIfNull(value);
        _columns.Add(new Column(column, (importer, record, _, token) => WriteAsync(importer, value(record), type, token)));
        return this;
    }

    /// <summary>Maps <paramref name="column"/> (a <c>bigint</c>) to the batch time in Unix milliseconds.</summary>
    /// <param name="column">The column's name.</param>
    /// <returns>This mapping.</returns>
    public PostgreSqlTable<T> MapBatchTime(string column)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        _columns.Add(new Column(column, (importer, _, time, token) => new ValueTask(importer.WriteAsync(time.Milliseconds, NpgsqlDbType.Bigint, token))));
        return this;
    }

    /// <summary>
    /// Upsert mode: a record whose <paramref name="keyColumns"/> match an existing row replaces that row's other mapped
    /// columns (<c>ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c</c>). The keys need a unique index or primary key,
    /// and a batch must hold each key at most once (e.g. the output of <c>ReduceByKey</c>).
    /// </summary>
    /// <param name="keyColumns">The conflict target: mapped columns with a unique index over them.</param>
    /// <returns>This mapping.</returns>
    public PostgreSqlTable<T> UpsertOn(params string[] keyColumns) => UpsertOn(keyColumns, update: null);

    /// <summary>
    /// Upsert mode with a custom update, e.g. <c>n = word_totals.n + EXCLUDED.n</c> to add a batch's counts to running
    /// totals (exactly once per batch, thanks to the progress row), or <c>null</c> to replace the other mapped columns.
    /// </summary>
    /// <param name="keyColumns">The conflict target: mapped columns with a unique index over them.</param>
    /// <param name="update">The <c>SET</c> clause of <c>ON CONFLICT ... DO UPDATE</c> (without <c>SET</c>), or <c>null</c>.</param>
    /// <returns>This mapping.</returns>
    public PostgreSqlTable<T> UpsertOn(string[] keyColumns, string? update)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        if (keyColumns.Length == 0 || keyColumns.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Upsert needs at least one key column, none empty.", nameof(keyColumns));
        }

        _keys = [.. keyColumns];
        _update = update;
        return this;
    }

    /// <summary>Sends <paramref name="batch"/> into the table inside the connection's current transaction.</summary>
    internal async ValueTask WriteAsync(NpgsqlConnection connection, Batch<T> batch, BatchTime time, CancellationToken cancellationToken)
    {
        if (_columns.Count == 0)
        {
            throw new InvalidOperationException($"The PostgreSQL mapping to {Table} has no columns: call Map for each column before saving.");
        }

        var unknown = _keys.Where(key => !_columns.Exists(c => string.Equals(c.Name, key, StringComparison.Ordinal))).ToArray();
        if (unknown.Length != 0)
        {
            throw new InvalidOperationException($"The upsert keys {string.Join(", ", unknown)} of the PostgreSQL mapping to {Table} are not mapped columns: map them with Map.");
        }

        if (batch.Count == 0)
        {
            return;
        }

        var columns = string.Join(", ", _columns.Select(c => c.Name));
        var target = Table;
        if (IsUpsert)
        {
            target = "pipelines_stage";
            await ExecuteAsync(connection, $"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {columns} FROM {Table} WITH NO DATA", cancellationToken).ConfigureAwait(false);
        }

        await using (var importer = await connection.BeginBinaryImportAsync($"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var record in batch)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                foreach (var column in _columns)
                {
                    await column.Write(importer, record, time, cancellationToken).ConfigureAwait(false);
                }
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!IsUpsert)
        {
            return;
        }

        var update = _update ?? string.Join(", ", _columns.Where(c => !_keys.Contains(c.Name, StringComparer.Ordinal)).Select(c => $"{c.Name} = EXCLUDED.{c.Name}"));
        var onConflict = update.Length == 0 ? "DO NOTHING" : "DO UPDATE SET " + update;
        try
        {
            await ExecuteAsync(
                connection,
                $"INSERT INTO {Table} ({columns}) SELECT {columns} FROM {target} ON CONFLICT ({string.Join(", ", _keys)}) {onConflict}; DROP TABLE {target}",
                cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.CardinalityViolation)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"The batch at {time} holds a key of {Table} ({string.Join(", ", _keys)}) more than once, which an upsert cannot apply: reduce the stream by key first (ReduceByKey) or append with an insert-mode mapping."),
                error);
        }
    }

    private static ValueTask WriteAsync<TValue>(NpgsqlBinaryImporter importer, TValue value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? new ValueTask(importer.WriteNullAsync(cancellationToken)) : new ValueTask(importer.WriteAsync(value, type, cancellationToken));

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record Column(string Name, Func<NpgsqlBinaryImporter, T, BatchTime, CancellationToken, ValueTask> Write);
}
