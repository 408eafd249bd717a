using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Pipelines.Sqlite;
using Pipelines.Testing;

namespace Pipelines.Tests.Checkpointing;

/// <summary>
/// A batch whose output fails is never recorded as completed: the checkpointing context stops, and a restart
/// from its checkpoint runs the failed batch (with the same files) and everything after it.
/// </summary>
public sealed class FailedBatchRecoveryTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(5_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new();

    public FailedBatchRecoveryTests() => Directory.CreateDirectory(Input);

    private string Input => _folder.Combine("input");

    private string Checkpoints => _folder.Combine("checkpoint");

    private string ConnectionString => $"Data Source={_folder.Combine("out.db")};Default Timeout=1;Pooling=False";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_batch_whose_ForEachBatch_throws_stops_the_context_and_runs_again_after_a_restart()
    {
        var outputs = new ConcurrentDictionary<BatchTime, string[]>();
        var failAt = new BatchTime(5_002_000);
        var (first, clock) = Create((batch, time) =>
        {
            if (time == failAt)
            {
                throw new InvalidOperationException("the sink is down");
            }

            outputs[time] = batch.ToArray();
        }, Start);
        first.Start();
        WriteFile("a.txt", "a1", "a2");
        Step(first, clock);
        WriteFile("b.txt", "b1");
        clock.Advance(Interval);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => first.AwaitTerminationAsync().WaitAsync(HangGuard));
        Assert.Equal("the sink is down", error.Message);
        await first.Stopped.WaitAsync(HangGuard);
        Assert.Equal(StreamingContextState.Stopped, first.State);

        WriteFile("c.txt", "c1");
        var (second, secondClock) = Create((batch, time) => outputs[time] = batch.ToArray(), Start + (2 * Interval));
        Assert.Equal(new BatchTime(5_001_000), second.RecoveredFrom);
        second.Start();
        Step(second, secondClock);
        await second.StopAsync();

        Assert.Equal(["a1", "a2"], outputs[new BatchTime(5_001_000)]);
        Assert.Equal(["b1"], outputs[failAt]);
        Assert.Equal(["c1"], outputs[new BatchTime(5_003_000)]);
    }

    [Fact]
    public async Task A_SQLite_sink_meeting_a_locked_database_loses_no_batch_after_a_restart()
    {
        const string Schema = "CREATE TABLE IF NOT EXISTS lines (line TEXT PRIMARY KEY);";
        var (first, clock) = CreateSqlite(Start, Schema);
        first.Start();
        WriteFile("a.txt", "a1", "a2");
        Step(first, clock);

        // Another process holds the database: the sink's transaction cannot start and the batch fails.
        using (var holder = new SqliteConnection(ConnectionString))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }

            WriteFile("b.txt", "b1", "b2");
            clock.Advance(Interval);
            var error = await Assert.ThrowsAsync<SqliteException>(() => first.AwaitTerminationAsync().WaitAsync(HangGuard));
            Assert.Contains("locked", error.Message, StringComparison.OrdinalIgnoreCase);
            await first.Stopped.WaitAsync(HangGuard);
        }

        WriteFile("c.txt", "c1");
        var (second, secondClock) = CreateSqlite(Start + (2 * Interval), Schema);
        second.Start();
        Step(second, secondClock);
        await second.StopAsync();

        Assert.Equal(["a1", "a2", "b1", "b2", "c1"], Query("SELECT line FROM lines ORDER BY line"));
        Assert.Equal(["5001000", "5002000", "5003000"], Query("SELECT batch_time FROM pipelines_batches ORDER BY batch_time"));
    }

    private (StreamingContext Context, ManualClock Clock) Create(Action<Batch<string>, BatchTime> output, DateTimeOffset start)
    {
        var clock = new ManualClock(start);
        var context = StreamingContext.GetOrCreate(Checkpoints, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock });
            ssc.TextFileStream(Input).ForEachBatch(output);
            return ssc;
        });
        return (context, clock);
    }

    private (StreamingContext Context, ManualClock Clock) CreateSqlite(DateTimeOffset start, string schema)
    {
        var clock = new ManualClock(start);
        var context = StreamingContext.GetOrCreate(Checkpoints, () =>
        {
            var ssc = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock, ApplicationId = "line-copier" });
            ssc.TextFileStream(Input).SaveToSqlite(
                ConnectionString,
                "lines",
                "INSERT INTO lines (line) VALUES ($line)",
                (parameters, line, _) => parameters.AddWithValue("$line", line),
                schema);
            return ssc;
        });
        return (context, clock);
    }

    private List<string> Query(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return rows;
    }

    private static void Step(StreamingContext context, ManualClock clock)
    {
        clock.Advance(Interval);
        var now = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        Assert.True(context.Scheduler!.WhenCompletedAsync(now).Wait(HangGuard), $"The batch at {now} did not finish.");
    }

    private void WriteFile(string name, params string[] lines)
    {
        var temp = Path.Combine(Input, "." + name + ".tmp");
        File.WriteAllLines(temp, lines);
        File.Move(temp, Path.Combine(Input, name));
    }
}
