using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pipelines.Testing;
using Pipelines.Tests.Receivers;

namespace Pipelines.Tests.Hardening;

/// <summary>Issue 10, item 5: what <c>TextFileStream</c> reads from its folder, and what it skips (and says so once).</summary>
public sealed class FileSourceEntryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipelines-entries-").FullName;
    private readonly string _incoming;
    private readonly CapturingLoggerFactory _logs = new();

    public FileSourceEntryTests() => _incoming = Directory.CreateDirectory(Path.Combine(_root, "in")).FullName;

    // rm: .NET cannot delete the file whose name is not valid UTF-8.
    public void Dispose() => RunShell("rm -rf \"$1\"", _root);

    [Fact]
    public async Task A_fifo_in_the_folder_is_skipped_with_one_warning_and_never_stalls_batch_generation()
    {
        await using var ssc = NewContext(out var clock);
        var collected = new Collector<string>(ssc.TextFileStream(_incoming));
        ssc.Start();

        var fifo = Path.Combine(_incoming, "pipe.txt");
        MakeFifo(fifo);
        MoveIn("a.txt", "a1");
        var steps = Task.Run(async () => (await ssc.StepAsync(), await ssc.StepAsync()));
        var completed = await Task.WhenAny(steps, Task.Delay(ReceiverTestKit.HangGuard)) == steps;
        if (!completed)
        {
            // Unblock the reader stuck in open(2) on the FIFO, so that the test can end.
            await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
        }

        Assert.True(completed, "batch generation stalled on the FIFO");
        var (t1, t2) = await steps;
        Assert.Equal(["a1"], collected.At(t1));
        Assert.Empty(collected.At(t2));
        Assert.Single(Warnings("pipe.txt"));
        Assert.Contains("fifo", Warnings("pipe.txt")[0], StringComparison.Ordinal);
        await ssc.StopAsync().Guard("the stop");
    }

    [Fact]
    public async Task Symbolic_links_are_skipped_unless_FollowSymbolicLinks_is_set()
    {
        var target = Path.Combine(_root, "target.txt");
        File.WriteAllLines(target, ["linked"]);

        await using (var ssc = NewContext(out _))
        {
            var collected = new Collector<string>(ssc.TextFileStream(_incoming));
            ssc.Start();
            File.CreateSymbolicLink(Path.Combine(_incoming, "link.txt"), target);
            MoveIn("plain.txt", "plain");
            var t1 = await ssc.StepAsync();
            var t2 = await ssc.StepAsync();

            Assert.Equal(["plain"], collected.At(t1));
            Assert.Empty(collected.At(t2));
            Assert.Single(Warnings("link.txt"));
        }

        File.Delete(Path.Combine(_incoming, "link.txt"));
        await using (var ssc = NewContext(out _, new StreamingOptions { FollowSymbolicLinks = true }))
        {
            var collected = new Collector<string>(ssc.TextFileStream(_incoming));
            ssc.Start();
            File.CreateSymbolicLink(Path.Combine(_incoming, "link2.txt"), target);
            var t1 = await ssc.StepAsync();

            Assert.Equal(["linked"], collected.At(t1));
        }
    }

    [Fact]
    public async Task A_file_over_MaxFileSize_is_reported_once_and_never_read_while_smaller_files_are()
    {
        await using var ssc = NewContext(out _, new StreamingOptions { MaxFileSize = 64 });
        var collected = new Collector<string>(ssc.TextFileStream(_incoming));
        ssc.Start();

        MoveIn("big.txt", new string('b', 100));
        MoveIn("small.txt", "s");
        var t1 = await ssc.StepAsync();
        var t2 = await ssc.StepAsync();
        var t3 = await ssc.StepAsync();

        Assert.Equal(["s"], collected.At(t1));
        Assert.Empty(collected.At(t2));
        Assert.Empty(collected.At(t3));
        var report = Assert.Single(_logs.Entries, e => e.Message.Contains("big.txt", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, report.Level);
        Assert.Contains("MaxFileSize (64 bytes)", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_name_that_is_not_valid_UTF8_is_reported_once_and_not_retried()
    {
        await using var ssc = NewContext(out _);
        var collected = new Collector<string>(ssc.TextFileStream(_incoming));
        ssc.Start();

        // The name holds the byte 0xFF, which is not UTF-8; .NET cannot create it, the shell can.
        RunShell("printf 'bad\\n' > \"$(printf '%s/bad\\377name.txt' \"$1\")\"", _incoming);
        MoveIn("good.txt", "good");
        var t1 = await ssc.StepAsync();
        var t2 = await ssc.StepAsync();
        var t3 = await ssc.StepAsync();

        Assert.Equal(["good"], collected.At(t1));
        Assert.Empty(collected.At(t2));
        Assert.Empty(collected.At(t3));
        var report = Assert.Single(_logs.Entries, e => e.Message.Contains("not valid UTF-8", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, report.Level);
        Assert.Contains("bad", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAsync_returns_to_its_caller_while_a_receiver_is_still_stopping()
    {
        await using var ssc = NewContext(out _);
        var receiver = new SlowStoppingReceiver();
        ssc.ReceiverStream(receiver).ForEachBatch((_, _) => { });
        ssc.Start();

        var stopping = ssc.StopAsync();
        receiver.CallerGotControl.Set();
        await stopping.Guard("the stop");

        Assert.True(receiver.SawCallerGetControl, "StopAsync blocked its caller until OnStop returned");
    }

    private StreamingContext NewContext(out ManualClock clock, StreamingOptions? options = null)
    {
        clock = new ManualClock();
        return new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions
        {
            TimeProvider = clock,
            LoggerFactory = _logs,
            MaxFileSize = options?.MaxFileSize ?? new StreamingOptions().MaxFileSize,
            FollowSymbolicLinks = options?.FollowSymbolicLinks ?? false,
        });
    }

    private string[] Warnings(string name) =>
        [.. _logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains(name, StringComparison.Ordinal)).Select(e => e.Message)];

    private void MoveIn(string name, params string[] lines)
    {
        var staged = Path.Combine(_root, name);
        File.WriteAllLines(staged, lines);
        File.Move(staged, Path.Combine(_incoming, name));
    }

    private static void MakeFifo(string path) => RunShell("mkfifo \"$1\"", path);

    private static void RunShell(string script, string argument)
    {
        using var shell = Process.Start("sh", ["-c", script, "sh", argument]);
        shell.WaitForExit();
        Assert.Equal(0, shell.ExitCode);
    }

    /// <summary>A receiver whose OnStop waits (up to a guard) for the test to get control back from StopAsync.</summary>
    private sealed class SlowStoppingReceiver : Receiver<string>
    {
        public ManualResetEventSlim CallerGotControl { get; } = new();

        public bool SawCallerGetControl { get; private set; }

        public override void OnStart()
        {
        }

        public override void OnStop() => SawCallerGetControl = CallerGotControl.Wait(TimeSpan.FromSeconds(10));
    }
}
