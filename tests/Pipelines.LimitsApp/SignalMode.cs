using System.Globalization;

namespace Pipelines.LimitsApp;

/// <summary>A checkpointed file pipeline that the tests stop with SIGTERM or SIGINT.</summary>
internal static class SignalMode
{
    public static async Task<int> RunAsync(string input, string output, string checkpoint, bool graceful)
    {
        Directory.CreateDirectory(output);
        await using var context = StreamingContext.GetOrCreate(checkpoint, () =>
        {
            var options = new StreamingOptions { StopGracefullyOnShutdown = graceful, StopTimeout = TimeSpan.FromSeconds(20) };
            var created = new StreamingContext(TimeSpan.FromMilliseconds(200), options);
            created.TextFileStream(input).ForEachBatch(async (batch, time, token) =>
            {
                if (batch.Count == 0)
                {
                    return;
                }

                var suffix = time.Milliseconds.ToString(CultureInfo.InvariantCulture);
                if (batch.Contains("SLOW"))
                {
                    await File.WriteAllTextAsync(Path.Combine(output, $"inflight-{suffix}"), string.Empty, CancellationToken.None);
                    await Task.Delay(TimeSpan.FromSeconds(3), token);
                }

                var temporary = Path.Combine(output, $".out-{suffix}.tmp");
                await File.WriteAllLinesAsync(temporary, batch, CancellationToken.None);
                File.Move(temporary, Path.Combine(output, $"out-{suffix}.txt"), overwrite: true);
            });
            return created;
        });
        context.Start();
        Console.WriteLine(context.RecoveredFrom is { } from ? $"started (recovered from {from})" : "started");
        try
        {
            await context.AwaitTerminationAsync();
        }
        catch (Exception error)
        {
            Console.WriteLine($"failed: {error.Message}");
            return 1;
        }

        Console.WriteLine("stopped");
        return 0;
    }
}
