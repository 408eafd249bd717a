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

    private static void Bind(SqliteParameterCollection parameters, (string Word, int Count) record, BatchTime time)
    {
        parameters.AddWithValue("$w", record.Word);
        parameters.AddWithValue("$n", record.Count);
    }

    private SqliteBatchWriter<(string, int)> NewWriter(string sink) =>
        new(_connectionString, sink, "app", (transaction, batch, time) =>
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
