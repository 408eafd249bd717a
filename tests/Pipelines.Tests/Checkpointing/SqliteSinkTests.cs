using Microsoft.Data.Sqlite;
using Pipelines.Sqlite;
using Pipelines.Testing;

namespace Pipelines.Tests.Checkpointing;

public sealed class SqliteSinkTests : IDisposable
{
    private const string Schema = "CREATE TABLE IF NOT EXISTS totals (word TEXT PRIMARY KEY, n INTEGER NOT NULL);";
    private readonly TempFolder _folder = new();
    private readonly string _connectionString;

    public SqliteSinkTests() => _connectionString = $"Data Source={_folder.Combine("out.db")}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public void Batches_written_through_the_stream_are_recorded_with_their_times()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new ManualClock() });
        context.QueueStream<string[]>([[["a", "b", "a"]], [["b"]], []])
            .FlatMap(words => words)
            .Map(word => (Word: word, Count: 1))
            .ReduceByKey((x, y) => x + y)
            .SaveToSqlite(_connectionString, "totals", "INSERT INTO totals (word, n) VALUES ($w, $n) ON CONFLICT (word) DO UPDATE SET n = n + excluded.n", Bind, Schema);
        context.Start();
        var clock = (ManualClock)context.TimeProvider;
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(context.Scheduler!.WhenCompletedAsync(new BatchTime(3000)).Wait(TimeSpan.FromSeconds(30)));
        context.StopAsync().Wait(TimeSpan.FromSeconds(30));

        Assert.Equal([("a", 2L), ("b", 2L)], Totals());
        Assert.Equal([(1000L, 2L), (2000L, 1L), (3000L, 0L)], AppliedBatches("totals"));
    }

    [Fact]
    public void A_replayed_batch_is_not_applied_twice()
    {
        var writer = NewWriter("totals");
        var batch = Batch<(string, int)>.From([("a", 2), ("b", 1)]);

        Assert.True(writer.Write(batch, new BatchTime(1000)));
        Assert.False(writer.Write(batch, new BatchTime(1000)));
        Assert.True(writer.Write(batch, new BatchTime(2000)));

        Assert.Equal([("a", 4L), ("b", 2L)], Totals());
        Assert.True(writer.IsApplied(new BatchTime(1000)));
        Assert.False(writer.IsApplied(new BatchTime(3000)));
    }

    [Fact]
    public void Two_sinks_on_one_database_track_their_batches_separately()
    {
        var batch = Batch<(string, int)>.From([("a", 1)]);

        Assert.True(NewWriter("first").Write(batch, new BatchTime(1000)));
        Assert.True(NewWriter("second").Write(batch, new BatchTime(1000)));

        Assert.Equal([("a", 2L)], Totals());
    }

    [Fact]
    public void A_batch_that_fails_midway_leaves_nothing_and_can_be_applied_again()
    {
        var fail = true;
        var writer = new SqliteBatchWriter<(string, int)>(_connectionString, "totals", "app", (transaction, batch, time) =>
        {
            using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO totals (word, n) VALUES ($w, $n)";
            foreach (var (word, n) in batch)
            {
                if (fail && word == "c")
                {
                    throw new InvalidOperationException("disk said no");
                }

                command.Parameters.Clear();
                command.Parameters.AddWithValue("$w", word);
                command.Parameters.AddWithValue("$n", n);
                command.ExecuteNonQuery();
            }
        }, Schema);
        var batch = Batch<(string, int)>.From([("a", 1), ("b", 1), ("c", 1)]);

        Assert.Throws<InvalidOperationException>(() => writer.Write(batch, new BatchTime(1000)));
        Assert.Empty(Totals());
        Assert.False(writer.IsApplied(new BatchTime(1000)));

        fail = false;
        Assert.True(writer.Write(batch, new BatchTime(1000)));
        Assert.Equal([("a", 1L), ("b", 1L), ("c", 1L)], Totals());
    }

    [Fact]
    public void A_second_application_under_the_same_sink_name_gets_a_clear_error_and_no_batch_is_skipped()
    {
        var batch = Batch<(string, int)>.From([("a", 1)]);
        var first = NewWriter("totals", "orders-app");
        Assert.True(first.Write(batch, new BatchTime(1000)));
        Assert.True(first.Write(batch, new BatchTime(2000)));

        var second = NewWriter("totals", "billing-app");
        var sameTime = Assert.Throws<InvalidOperationException>(() => second.Write(batch, new BatchTime(2000)));
        var newTime = Assert.Throws<InvalidOperationException>(() => second.Write(batch, new BatchTime(3000)));

        Assert.Contains("'orders-app'", sameTime.Message, StringComparison.Ordinal);
        Assert.Contains("'billing-app'", sameTime.Message, StringComparison.Ordinal);
        Assert.Contains("sink name", sameTime.Message, StringComparison.Ordinal);
        Assert.Equal(sameTime.Message, newTime.Message);
        Assert.Equal([("a", 2L)], Totals());
        Assert.Equal([(1000L, "orders-app"), (2000L, "orders-app")], Owners("totals"));
    }

    [Fact]
    public void A_progress_table_of_an_earlier_version_is_upgraded_and_its_rows_claimed_by_the_next_writer()
    {
        Execute(
            "CREATE TABLE pipelines_batches (sink TEXT NOT NULL, batch_time INTEGER NOT NULL, records INTEGER NOT NULL, PRIMARY KEY (sink, batch_time));" +
            "INSERT INTO pipelines_batches VALUES ('totals', 1000, 1);" + Schema + "INSERT INTO totals VALUES ('a', 1);");
        var batch = Batch<(string, int)>.From([("a", 1)]);
        var writer = NewWriter("totals", "orders-app");

        Assert.False(writer.Write(batch, new BatchTime(1000)));
        Assert.True(writer.Write(batch, new BatchTime(2000)));
        Assert.Throws<InvalidOperationException>(() => NewWriter("totals", "billing-app").Write(batch, new BatchTime(3000)));

        Assert.Equal([("a", 2L)], Totals());
        Assert.Equal([(1000L, "orders-app"), (2000L, "orders-app")], Owners("totals"));
    }

    [Fact]
    public async Task The_default_application_id_is_kept_in_the_checkpoint_so_a_restart_writes_on_and_another_folder_is_refused()
    {
        const string Statement = "INSERT INTO totals (word, n) VALUES ($w, $n) ON CONFLICT (word) DO UPDATE SET n = n + excluded.n";
        var start = DateTimeOffset.FromUnixTimeMilliseconds(7_000_000);
        (StreamingContext, ManualClock) Create(string checkpoints, DateTimeOffset at, string word)
        {
            var clock = new ManualClock(at);
            var context = StreamingContext.GetOrCreate(_folder.Combine(checkpoints), () =>
            {
                var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
                ssc.QueueStream<(string, int)>([[(word, 1)]]).SaveToSqlite(_connectionString, "totals", Statement, Bind, Schema);
                return ssc;
            });
            return (context, clock);
        }

        var (first, firstClock) = Create("checkpoint", start, "a");
        first.Start();
        firstClock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(first.Scheduler!.WhenCompletedAsync(new BatchTime(7_001_000)).Wait(TimeSpan.FromSeconds(30)));
        await first.StopAsync();

        var (restarted, restartedClock) = Create("checkpoint", start + TimeSpan.FromSeconds(1), "b");
        Assert.Equal(first.ApplicationId, restarted.ApplicationId);
        restarted.Start();
        restartedClock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(restarted.Scheduler!.WhenCompletedAsync(new BatchTime(7_002_000)).Wait(TimeSpan.FromSeconds(30)));
        await restarted.StopAsync();

        var (other, otherClock) = Create("other-checkpoint", start + TimeSpan.FromSeconds(2), "c");
        Assert.NotEqual(first.ApplicationId, other.ApplicationId);
        other.Start();
        otherClock.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => other.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(first.ApplicationId, error.Message, StringComparison.Ordinal);
        await other.Stopped.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([("a", 1L), ("b", 1L)], Totals());
    }

    private static void Bind(SqliteParameterCollection parameters, (string Word, int Count) record, BatchTime time)
    {
        parameters.AddWithValue("$w", record.Word);
        parameters.AddWithValue("$n", record.Count);
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<(long, string)> Owners(string sink) =>
        Query<(long, string)>($"SELECT batch_time, application_id FROM pipelines_batches WHERE sink = '{sink}' ORDER BY batch_time", r => (r.GetInt64(0), r.GetString(1)));

    private SqliteBatchWriter<(string, int)> NewWriter(string sink, string application = "app") =>
        new(_connectionString, sink, application, (transaction, batch, time) =>
        {
            using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO totals (word, n) VALUES ($w, $n) ON CONFLICT (word) DO UPDATE SET n = n + excluded.n";
            foreach (var record in batch)
            {
                command.Parameters.Clear();
                Bind(command.Parameters, record, time);
                command.ExecuteNonQuery();
            }
        }, Schema);

    private List<(string, long)> Totals() => Query<(string, long)>("SELECT word, n FROM totals ORDER BY word", r => (r.GetString(0), r.GetInt64(1)));

    private List<(long, long)> AppliedBatches(string sink) =>
        Query<(long, long)>($"SELECT batch_time, records FROM pipelines_batches WHERE sink = '{sink}' ORDER BY batch_time", r => (r.GetInt64(0), r.GetInt64(1)));

    private List<TRow> Query<TRow>(string sql, Func<SqliteDataReader, TRow> read)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var rows = new List<TRow>();
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }
        }
        catch (SqliteException error) when (error.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return rows;
        }

        return rows;
    }
}
