using HostedWordCount;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipelines;
using Pipelines.Hosting;

// A word count run by the .NET Generic Host as a worker service. It reads the text files moved into
// HostedWordCount:Input (lines "<id> word word ..."), writes every line of each batch to lines-<t>.txt and the running
// word totals to totals-<t>.txt in HostedWordCount:Output, and checkpoints to Streaming:CheckpointDirectory.
// SIGTERM or Ctrl+C stops it gracefully: the batches already cut finish, the final checkpoint is written and the
// process exits with code 0; started again, it recovers from that checkpoint.
//
// Settings come from appsettings.json, environment variables and the command line, e.g.
//   dotnet run --project samples/HostedWordCount -- --HostedWordCount:Input=/tmp/in --Streaming:BatchInterval=00:00:00.500
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(console => console.SingleLine = true);

var input = Path.GetFullPath(builder.Configuration["HostedWordCount:Input"] ?? "data/in");
var output = Path.GetFullPath(builder.Configuration["HostedWordCount:Output"] ?? "data/out");
Directory.CreateDirectory(input);
Directory.CreateDirectory(output);

builder.Services.AddStreamingContext((ssc, services) =>
{
    var lines = ssc.TextFileStream(input);
    lines.SaveAsTextFiles(Path.Combine(output, "lines"), "txt");
    var totals = WordCounts.Compile(lines).UpdateStateByKey((IReadOnlyList<long> counts, Optional<long> total) =>
    {
        var sum = total.GetValueOrDefault(0);
        foreach (var count in counts)
        {
            sum += count;
        }

        return Optional.Of(sum);
    });
    totals.Checkpoint(ssc.BatchInterval * 5);
    totals.Map(pair => $"{pair.Key} {pair.State}").SaveAsTextFiles(Path.Combine(output, "totals"), "txt");
});
builder.Services.AddHealthChecks().AddStreamingContextCheck();

using var host = builder.Build();
await host.RunAsync();
