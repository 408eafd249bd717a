namespace Pipelines;

/// <summary>Settings of a <see cref="DbBatchWriter{T}"/>.</summary>
public sealed class DbBatchWriterOptions
{
    /// <summary>The default progress table: <c>pipelines_batches</c>.</summary>
    public const string DefaultProgressTable = "pipelines_batches";

    /// <summary>The table that records which batches each sink applied, and for which application (default <see cref="DefaultProgressTable"/>).</summary>
    public string ProgressTable
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(ProgressTable));
            field = value;
        }
    } = DefaultProgressTable;

    /// <summary>SQL run once before the first batch, outside the batch transactions (e.g. <c>CREATE TABLE IF NOT EXISTS ...</c>), or <c>null</c>.</summary>
    public string? Schema { get; init; }

    /// <summary>What differs between databases; <see cref="DbSinkDialect.Default"/> unless a connector package sets its own.</summary>
    public DbSinkDialect Dialect { get; init; } = DbSinkDialect.Default;
}
