using Npgsql;
using NpgsqlTypes;
using Pipelines.Testing;

namespace Pipelines.PostgreSql.Tests;

/// <summary>Issue 17: the PostgreSQL sink against a real server: binary COPY, upserts, the exactly-once protocol.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlSinkTests(PostgresServer server)
{
    private static readonly PostgreSqlTable<(string Word, long Count)> Totals = new PostgreSqlTable<(string Word, long Count)>("totals")
        .Map("word", NpgsqlDbType.Text, r => r.Word)
        .Map("n", NpgsqlDbType.Bigint, r => r.Count)
        .UpsertOn(["word"], "n = totals.n + EXCLUDED.n");

    private const string TotalsSchema = "CREATE TABLE IF NOT EXISTS totals (word text PRIMARY KEY, n bigint NOT NULL)";

    [Fact]
    public async Task A_stream_is_copied_into_its_table_batch_by_batch_with_one_progress_row_per_batch()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        var clock = new ManualClock();
        await using var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, ApplicationId = "app-1" });
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = ssc.QueueStream<(int Id, string? Name)>([[(1, "one"), (2, null)], [], [(3, "three")]]);
        events.SaveToPostgreSql(
            dataSource,
            "events",
            new PostgreSqlTable<(int Id, string? Name)>("events").Map("id", NpgsqlDbType.Integer, e => e.Id).Map("name", NpgsqlDbType.Text, e => e.Name).MapBatchTime("batch_time"),
            schema: "CREATE TABLE IF NOT EXISTS events (id integer NOT NULL, name text, batch_time bigint NOT NULL)");
        events.ForEachBatch((_, time) =>
        {
            if (time.Milliseconds == 3000)
            {
                done.TrySetResult();
            }
        });
        ssc.Start();
        clock.Advance(TimeSpan.FromSeconds(3));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(
            [(1, "one", 1000L), (2, null, 1000L), (3, "three", 3000L)],
            await QueryAsync(dataSource, "SELECT id, name, batch_time FROM events ORDER BY id", r => (r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2))));
        Assert.Equal(
            [(1000L, 2L, "app-1"), (2000L, 0L, "app-1"), (3000L, 1L, "app-1")],
            await QueryAsync(dataSource, "SELECT batch_time, records, application_id FROM pipelines_batches WHERE sink = 'events' ORDER BY batch_time", r => (r.GetInt64(0), r.GetInt64(1), r.GetString(2))));
    }

    [Fact]
    public async Task An_upsert_adds_each_batch_once_and_a_replayed_batch_is_skipped()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        var writer = PostgreSqlSinkExtensions.CreateBatchWriter(dataSource, "totals", "app", Totals, TotalsSchema);

        Assert.True(await writer.WriteAsync(Batch<(string, long)>.From([("a", 1), ("b", 2)]), new BatchTime(1000)));
        Assert.True(await writer.WriteAsync(Batch<(string, long)>.From([("b", 5), ("c", 1)]), new BatchTime(2000)));
        Assert.False(await writer.WriteAsync(Batch<(string, long)>.From([("b", 5), ("c", 1)]), new BatchTime(2000)));

        Assert.Equal([("a", 1L), ("b", 7L), ("c", 1L)], await ReadTotalsAsync(dataSource));
        Assert.True(await writer.IsAppliedAsync(new BatchTime(2000)));
        Assert.False(await writer.IsAppliedAsync(new BatchTime(3000)));
    }

    [Fact]
    public async Task An_upsert_without_an_update_clause_replaces_the_other_columns()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        var latest = new PostgreSqlTable<(string Key, string Value)>("latest")
            .Map("key", NpgsqlDbType.Text, r => r.Key)
            .Map("value", NpgsqlDbType.Text, r => r.Value)
            .UpsertOn("key");
        var writer = PostgreSqlSinkExtensions.CreateBatchWriter(dataSource, "latest", "app", latest, "CREATE TABLE IF NOT EXISTS latest (key text PRIMARY KEY, value text NOT NULL, note text DEFAULT 'kept')");

        await writer.WriteAsync(Batch<(string, string)>.From([("k1", "v1"), ("k2", "v1")]), new BatchTime(1000));
        await writer.WriteAsync(Batch<(string, string)>.From([("k2", "v2")]), new BatchTime(2000));

        Assert.Equal(
            [("k1", "v1", "kept"), ("k2", "v2", "kept")],
            await QueryAsync(dataSource, "SELECT key, value, note FROM latest ORDER BY key", r => (r.GetString(0), r.GetString(1), r.GetString(2))));
    }

    [Fact]
    public async Task A_batch_holding_a_key_twice_fails_clearly_and_leaves_nothing_behind()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        var writer = PostgreSqlSinkExtensions.CreateBatchWriter(dataSource, "totals", "app", Totals, TotalsSchema);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(Batch<(string, long)>.From([("a", 1), ("a", 2)]), new BatchTime(1000)));

        Assert.Contains("more than once", error.Message, StringComparison.Ordinal);
        Assert.Contains("ReduceByKey", error.Message, StringComparison.Ordinal);
        Assert.Empty(await ReadTotalsAsync(dataSource));
        Assert.False(await writer.IsAppliedAsync(new BatchTime(1000)));
    }

    [Fact]
    public async Task A_second_application_writing_the_same_sink_name_gets_a_clear_error()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        var first = PostgreSqlSinkExtensions.CreateBatchWriter(dataSource, "totals", "orders-app", Totals, TotalsSchema);
        var second = PostgreSqlSinkExtensions.CreateBatchWriter(dataSource, "totals", "billing-app", Totals, TotalsSchema);
        await first.WriteAsync(Batch<(string, long)>.From([("a", 1)]), new BatchTime(1000));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.WriteAsync(Batch<(string, long)>.From([("a", 1)]), new BatchTime(2000)));

        Assert.Contains("PostgreSQL sink 'totals'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'orders-app'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'billing-app'", error.Message, StringComparison.Ordinal);
        Assert.Equal([("a", 1L)], await ReadTotalsAsync(dataSource));
    }

    [Fact]
    public async Task Two_applications_starting_at_once_on_one_sink_name_are_serialized_and_exactly_one_wins()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        for (var round = 0; round < 5; round++)
        {
            var sink = "race-" + round;
            var writers = new[] { "app-a", "app-b" }.Select(app => PostgreSqlSinkExtensions.CreateBatchWriter(dataSource, sink, app, Totals, TotalsSchema)).ToArray();
            await writers[0].IsAppliedAsync(new BatchTime(0)); // creates the tables first, so the race is on the progress rows only
            await writers[1].IsAppliedAsync(new BatchTime(0));

            var results = await Task.WhenAll(writers.Select((w, i) => Outcome(w.WriteAsync(Batch<(string, long)>.From([("w" + round, 1)]), new BatchTime(1000 + i)))));

            Assert.Single(results, r => r is null);
            Assert.Single(results, r => r is InvalidOperationException);
        }

        static async Task<Exception?> Outcome(Task<bool> write)
        {
            try
            {
                await write;
                return null;
            }
            catch (Exception error)
            {
                return error;
            }
        }
    }

    [Fact]
    public async Task A_write_that_throws_rolls_back_the_records_and_the_progress_row()
    {
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync());
        var writer = new DbBatchWriter<int>(
            dataSource,
            "numbers",
            "app",
            async (transaction, batch, time, token) =>
            {
                await using var insert = new NpgsqlCommand("INSERT INTO numbers (n) VALUES (1)", (NpgsqlConnection)transaction.Connection!, (NpgsqlTransaction)transaction);
                await insert.ExecuteNonQueryAsync(token);
                throw new IOException("disk on fire");
            },
            new DbBatchWriterOptions { Schema = "CREATE TABLE IF NOT EXISTS numbers (n int)" });

        await Assert.ThrowsAsync<IOException>(() => writer.WriteAsync(Batch<int>.From([1]), new BatchTime(1000)));

        Assert.Empty(await QueryAsync(dataSource, "SELECT n FROM numbers", r => r.GetInt32(0)));
        Assert.False(await writer.IsAppliedAsync(new BatchTime(1000)));
    }

    private static async Task<List<(string, long)>> ReadTotalsAsync(NpgsqlDataSource dataSource) =>
        await QueryAsync(dataSource, "SELECT word, n FROM totals ORDER BY word", r => (r.GetString(0), r.GetInt64(1)));

    private static async Task<List<TRow>> QueryAsync<TRow>(NpgsqlDataSource dataSource, string sql, Func<NpgsqlDataReader, TRow> read)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<TRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
