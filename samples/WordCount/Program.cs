using Pipelines;
using Pipelines.Dashboard;
using Pipelines.Samples.WordCount;

// Word count, Spark Streaming's "hello world". By default it reads lines from a built-in generator (no
// server to start) and stops after a few batches:
//   dotnet run --project samples/WordCount                              5 batches of 1 s from the built-in text
//   dotnet run --project samples/WordCount -- --batches 20              run longer (0 = until Ctrl+C)
//   dotnet run --project samples/WordCount -- --socket 127.0.0.1:9999   lines from a TCP server (nc -lk 9999)
//   dotnet run --project samples/WordCount -- --dir /tmp/incoming       text files moved into a folder
//   dotnet run --project samples/WordCount -- --dashboard               live dashboard on http://127.0.0.1:4040/
var options = SampleOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(SampleOptions.Usage);
    return 2;
}

await using var ssc = new StreamingContext(options.BatchInterval);
var lines = options switch
{
    { SocketHost: { } host } => ssc.SocketTextStream(host, options.SocketPort),
    { Directory: { } directory } => ssc.TextFileStream(directory),
    _ => EmbeddedText.Stream(ssc, options.LinesPerBatch),
};

// The generated, fused form of WordCount.Define (same output, no per-record allocation).
var counts = WordCount.Compile(lines);
counts.Print(num: 10);

// --dashboard: Spark's Streaming tab plus the top words as a live table and chart.
await using var dashboard = options.DashboardPort is { } port ? await ssc.UseDashboardAsync(new DashboardOptions { Port = port, Title = "WordCount" }) : null;
if (dashboard is not null)
{
    counts.ToDashboard("Top words", new ResultsDashboardOptions { Columns = ["Word", "Count"], MaxRows = 10 });
    Console.WriteLine($"Dashboard: {dashboard.Url}");
}

var completed = 0;
var done = new TaskCompletionSource();
counts.ForEachBatch((_, _) =>
{
    if (options.Batches > 0 && Interlocked.Increment(ref completed) >= options.Batches)
    {
        done.TrySetResult();
    }
});

Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    done.TrySetResult();
};

try
{
    ssc.Start();
}
catch (DirectoryNotFoundException error)
{
    Console.Error.WriteLine($"error: {error.Message}");
    return 1;
}

var termination = ssc.AwaitTerminationAsync();
await Task.WhenAny(done.Task, termination);
await ssc.StopAsync(graceful: true);
if (termination is { IsFaulted: true, Exception.InnerException: { } failure })
{
    Console.Error.WriteLine($"error: {failure.Message}");
    return 1;
}

return 0;
