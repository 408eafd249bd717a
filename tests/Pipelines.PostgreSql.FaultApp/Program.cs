using Npgsql;
using NpgsqlTypes;
using Pipelines;
using Pipelines.PostgreSql;

// A checkpointed pipeline with two PostgreSQL sinks, reading a folder of text files (lines "<id> word word ..."):
// every line goes to the table lines (binary COPY, insert mode) and each batch's word counts are added to word_totals
// (binary COPY into a staging table, then INSERT ... ON CONFLICT DO UPDATE n = n + EXCLUDED.n). The kill test runs it
// as a child process, kills it with SIGKILL at random moments and restarts it; it recovers from its checkpoint each
// time. It stops gracefully when the stop-marker file appears.
//
// Usage: Pipelines.PostgreSql.FaultApp <input folder> <checkpoint folder> <connection string> <batch ms> <stop marker>
if (args.Length != 5 || !int.TryParse(args[3], out var batchMs) || batchMs <= 0)
{
    Console.Error.WriteLine("Usage: Pipelines.PostgreSql.FaultApp <input folder> <checkpoint folder> <connection string> <batch ms> <stop marker>");
    return 2;
}

var (input, checkpoint, connectionString, stopMarker) = (args[0], args[1], args[2], args[4]);
await using var dataSource = NpgsqlDataSource.Create(connectionString);
await using var context = StreamingContext.GetOrCreate(checkpoint, () =>
{
    var ssc = new StreamingContext(TimeSpan.FromMilliseconds(batchMs), new StreamingOptions { StopOnShutdownSignal = false });
    var lines = ssc.TextFileStream(input);
    lines.Map(line => line.Split(' ', 2)[0]).SaveToPostgreSql(
        dataSource,
        "lines",
        new PostgreSqlTable<string>("lines").Map("id", NpgsqlDbType.Text, id => id).MapBatchTime("batch_time"),
        schema: "CREATE TABLE IF NOT EXISTS lines (id text NOT NULL, batch_time bigint NOT NULL)");
    lines.FlatMap(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        .Map(word => (word, 1L))
        .ReduceByKey((a, b) => a + b)
        .SaveToPostgreSql(
            dataSource,
            "word-totals",
            new PostgreSqlTable<(string Word, long Count)>("word_totals")
                .Map("word", NpgsqlDbType.Text, r => r.Word)
                .Map("n", NpgsqlDbType.Bigint, r => r.Count)
                .UpsertOn(["word"], "n = word_totals.n + EXCLUDED.n"),
            schema: "CREATE TABLE IF NOT EXISTS word_totals (word text PRIMARY KEY, n bigint NOT NULL)");
    return ssc;
});
context.Start();
Console.WriteLine(context.RecoveredFrom is { } from ? $"recovered from {from}" : "started fresh");

using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
var terminated = context.AwaitTerminationAsync();
while (!File.Exists(stopMarker) && !terminated.IsCompleted)
{
    await poll.WaitForNextTickAsync();
}

await context.StopAsync(graceful: true);
try
{
    await terminated;
}
catch (Exception error)
{
    Console.Error.WriteLine($"failed: {error}");
    return 1;
}

Console.WriteLine("stopped");
return 0;
