using Pipelines;
using Pipelines.Samples.WordCount;

// Word count, Spark Streaming's "hello world". By default it reads lines from a built-in generator (no
// server to start) and stops after a few batches:
//   dotnet run --project samples/WordCount                       5 batches of 1 s from the built-in text
//   dotnet run --project samples/WordCount -- --batches 20       run longer (0 = until Ctrl+C)
var options = SampleOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(SampleOptions.Usage);
    return 2;
}

await using var ssc = new StreamingContext(options.BatchInterval);
var lines = EmbeddedText.Stream(ssc, options.LinesPerBatch);

// The generated, fused form of WordCount.Define (same output, no per-record allocation).
var counts = WordCount.Compile(lines);
counts.Print(num: 10);

var completed = 0;
var done = new TaskCompletionSource();
counts.ForEachBatch((_, _) =>
{
    if (options.Batches > 0 && Interlocked.Increment(ref completed) >= options.Batches)
    {
        done.TrySetResult();
    }
});

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    done.TrySetResult();
};

ssc.Start();
await Task.WhenAny(done.Task, ssc.AwaitTerminationAsync(cancel.Token));
await ssc.StopAsync(graceful: true);
return 0;
