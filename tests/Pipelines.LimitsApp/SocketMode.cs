using System.Globalization;

namespace Pipelines.LimitsApp;

/// <summary>Reads a socket with a record length limit and prints what it received.</summary>
internal static class SocketMode
{
    public static async Task<int> RunAsync(int port, int maxRecordLength)
    {
        var end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new StreamingOptions { MaxRecordLength = maxRecordLength, Listeners = [new ErrorPrinter()] };
        await using var context = new StreamingContext(TimeSpan.FromMilliseconds(100), options);
        context.SocketTextStream("127.0.0.1", port).ForEachBatch((batch, _) =>
        {
            foreach (var line in batch)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"line {line.Length} {line[..Math.Min(16, line.Length)]}"));
                if (line == "END")
                {
                    end.TrySetResult();
                }
            }
        });
        context.Start();
        Console.WriteLine("ready");
        await Task.WhenAny(end.Task, context.AwaitTerminationAsync());
        await context.StopAsync(graceful: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set {Environment.WorkingSet >> 20} MiB"));
        return end.Task.IsCompleted ? 0 : 1;
    }

    private sealed class ErrorPrinter : IStreamingListener
    {
        public void OnReceiverError(ReceiverInfo receiver) => Console.WriteLine($"error {receiver.Message}");
    }
}
