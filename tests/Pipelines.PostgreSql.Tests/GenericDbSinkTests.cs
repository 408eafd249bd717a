using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Pipelines.PostgreSql.Tests;

/// <summary>
/// Issue 17: one ADO.NET implementation of the exactly-once protocol (<see cref="DbBatchWriter{T}"/> on a
/// <see cref="DbDataSource"/>) behaves the same on SQLite and PostgreSQL, with plain parameterized commands.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GenericDbSinkTests(PostgresServer server) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipelines-db-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task The_shared_protocol_applies_each_batch_once_skips_replays_and_refuses_a_second_application(string database)
    {
        await using var dataSource = database == "sqlite"
            ? SqliteFactory.Instance.CreateDataSource($"Data Source={Path.Combine(_folder, "out.db")}")
            : NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        var options = new DbBatchWriterOptions { Schema = "CREATE TABLE IF NOT EXISTS readings (sensor TEXT NOT NULL, value BIGINT NOT NULL, batch_time BIGINT NOT NULL)" };
        var writer = new DbBatchWriter<(string Sensor, long Value)>(dataSource, "readings", "app", InsertReadingsAsync, options);

        Assert.True(await writer.WriteAsync(Batch<(string, long)>.From([("s1", 10), ("s2", 20)]), new BatchTime(1000)));
        Assert.True(await writer.WriteAsync(Batch<(string, long)>.From([("s1", 11)]), new BatchTime(2000)));
        Assert.False(await writer.WriteAsync(Batch<(string, long)>.From([("s1", 11)]), new BatchTime(2000)));
        var intruder = new DbBatchWriter<(string Sensor, long Value)>(dataSource, "readings", "other-app", InsertReadingsAsync, options);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => intruder.WriteAsync(Batch<(string, long)>.From([("s9", 0)]), new BatchTime(3000)));

        Assert.Contains("holds batches written by application 'app'", error.Message, StringComparison.Ordinal);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sensor, value, batch_time FROM readings ORDER BY batch_time, sensor";
        var rows = new List<(string, long, long)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        Assert.Equal([("s1", 10L, 1000L), ("s2", 20L, 1000L), ("s1", 11L, 2000L)], rows);
    }

    private static async ValueTask InsertReadingsAsync(DbTransaction transaction, Batch<(string Sensor, long Value)> batch, BatchTime time, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO readings (sensor, value, batch_time) VALUES (@sensor, @value, @time)";
        var sensor = Parameter(command, "@sensor");
        var value = Parameter(command, "@value");
        Parameter(command, "@time").Value = time.Milliseconds;
        foreach (var (s, v) in batch)
        {
            sensor.Value = s;
            value.Value = v;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
