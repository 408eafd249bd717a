using Microsoft.Extensions.Logging;

namespace Pipelines.Tests.Checkpointing;

public sealed class RecoveryTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
    private readonly TempFolder _folder = new();
    private readonly List<string> _log = [];

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_crash_between_batches_recovers_state_and_continues_as_if_uninterrupted()
    {
        var expected = await RunWithoutFailureAsync(6);

        await using (var first = Create(Start))
        {
            first.Context.Start();
            StepWithInput(first, 3);
            await first.CrashAsync();
        }

        await using var second = Create(Start + TimeSpan.FromSeconds(3));
        Assert.Equal(new BatchTime(1_003_000), second.Context.RecoveredFrom);
        second.Context.Start();
        StepWithInput(second, 3, offset: 3);

        Assert.Equal(expected[1_006_000], second.Outputs[new BatchTime(1_006_000)]);
        Assert.Equal(1, second.Counts.Restores);
    }

    [Fact]
    public async Task Batches_pending_at_a_crash_run_again_in_order_with_the_same_records_before_new_ones()
    {
        var expected = await RunWithoutFailureAsync(6);

        await using (var first = Create(Start))
        {
            var blocked = new TaskCompletionSource();
            first.BeforeOutput = async (time, cancellationToken) =>
            {
                if (time == new BatchTime(1_004_000))
                {
                    blocked.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
            };
            first.Context.Start();
            StepWithInput(first, 3);
            AppendLine(4);
            first.Clock.Advance(CheckpointedWordCount.Interval);
            AppendLine(5);
            first.Clock.Advance(CheckpointedWordCount.Interval);
            await blocked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await first.CrashAsync();
            Assert.False(first.Outputs.ContainsKey(new BatchTime(1_004_000)));
        }

        // Lines appended while down must not leak into the replayed batches.
        AppendLine(6);
        var order = new List<BatchTime>();
        await using var second = Create(Start + TimeSpan.FromSeconds(5));
        second.BeforeOutput = (time, _) =>
        {
            lock (order)
            {
                order.Add(time);
            }

            return ValueTask.CompletedTask;
        };
        Assert.Equal(new BatchTime(1_003_000), second.Context.RecoveredFrom);
        second.Context.Start();
        second.WaitFor(new BatchTime(1_005_000));
        second.Step();

        Assert.Equal([new BatchTime(1_004_000), new BatchTime(1_005_000), new BatchTime(1_006_000)], order);
        foreach (var time in order)
        {
            Assert.Equal(expected[time.Milliseconds], second.Outputs[time]);
        }
    }

    [Fact]
    public async Task With_the_default_data_interval_state_is_saved_every_ten_seconds_and_later_batches_replay_from_the_journal()
    {
        var expected = await RunWithoutFailureAsync(14, checkpointInterval: TimeSpan.FromSeconds(10));

        await using (var first = Create(Start, checkpointInterval: TimeSpan.FromSeconds(10)))
        {
            first.Context.Start();
            StepWithInput(first, 13);
            await first.CrashAsync();
        }

        var times = Directory.GetFiles(_folder.Path, "checkpoint-*.bin").Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["checkpoint-1000000.bin", "checkpoint-1010000.bin"], times);
        await using var second = Create(Start + TimeSpan.FromSeconds(13), checkpointInterval: TimeSpan.FromSeconds(10));
        Assert.Equal(new BatchTime(1_010_000), second.Context.RecoveredFrom);
        second.Context.Start();
        second.WaitFor(new BatchTime(1_013_000));
        for (var t = 1_011_000; t <= 1_013_000; t += 1000)
        {
            Assert.Equal(expected[t], second.Outputs[new BatchTime(t)]);
        }

        StepWithInput(second, 1, offset: 13);
        Assert.Equal(expected[1_014_000], second.Outputs[new BatchTime(1_014_000)]);
    }

    [Fact]
    public void The_data_checkpoint_interval_must_be_a_multiple_of_the_slide()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(2));
        var stream = context.QueueStream<int>([]);

        var error = Assert.Throws<ArgumentException>(() => stream.Checkpoint(TimeSpan.FromSeconds(3)));

        Assert.Contains("multiple of the slide duration", error.Message, StringComparison.Ordinal);
        Assert.Same(stream, stream.Checkpoint(TimeSpan.FromSeconds(4)));
    }

    [Fact]
    public async Task The_checkpoint_directory_option_writes_checkpoints_without_calling_Checkpoint()
    {
        var clock = new Pipelines.Testing.ManualClock(Start);
        var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, CheckpointDirectory = _folder.Path });
        context.QueueStream<int>([[1], [2]]).ForEachBatch((_, _) => { });
        context.Start();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(context.Scheduler!.WhenCompletedAsync(new BatchTime(1_001_000)).Wait(TimeSpan.FromSeconds(30)));
        await context.StopAsync();

        Assert.Equal(_folder.Path, context.CheckpointDirectory);
        Assert.True(File.Exists(Path.Combine(_folder.Path, "checkpoint-1001000.bin")));
    }

    [Fact]
    public async Task Checkpoint_settings_cannot_change_after_start()
    {
        await using var run = Create(Start);
        run.Context.Start();

        Assert.Throws<InvalidOperationException>(() => run.Context.Checkpoint(_folder.Path));
        Assert.Throws<InvalidOperationException>(() => run.Context.RegisterPipeline("Late.Define", "1234"));
        Assert.Throws<InvalidOperationException>(() => run.Counts.Checkpoint(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void The_default_data_interval_is_the_smallest_multiple_of_the_slide_of_at_least_ten_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), Pipelines.Checkpointing.CheckpointCoordinator.DefaultInterval(TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(9), Pipelines.Checkpointing.CheckpointCoordinator.DefaultInterval(TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(15), Pipelines.Checkpointing.CheckpointCoordinator.DefaultInterval(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task A_graceful_stop_writes_a_final_checkpoint()
    {
        await using (var first = Create(Start, checkpointInterval: TimeSpan.FromSeconds(10)))
        {
            first.Context.Start();
            StepWithInput(first, 3);
            await first.Context.StopAsync(graceful: true);
        }

        Assert.True(File.Exists(Path.Combine(_folder.Path, "checkpoint-1003000.bin")));
        await using var second = Create(Start + TimeSpan.FromSeconds(3), checkpointInterval: TimeSpan.FromSeconds(10));
        Assert.Equal(new BatchTime(1_003_000), second.Context.RecoveredFrom);
    }

    [Fact]
    public async Task A_changed_pipeline_fingerprint_fails_naming_the_pipeline_and_the_way_to_start_fresh()
    {
        await using (var first = Create(Start, configure: c => c.RegisterPipeline("WordCount.Define", "aaaa")))
        {
            first.Context.Start();
            StepWithInput(first, 2);
            await first.CrashAsync();
        }

        var error = Assert.Throws<CheckpointException>(() => Create(Start, configure: c => c.RegisterPipeline("WordCount.Define", "bbbb")));

        Assert.Contains("'WordCount.Define' changed", error.Message, StringComparison.Ordinal);
        Assert.Contains("DiscardIncompatible", error.Message, StringComparison.Ordinal);

        _log.Clear();
        await using var fresh = Create(
            Start + TimeSpan.FromSeconds(10),
            options: new CheckpointOptions { DiscardIncompatible = true },
            configure: c => c.RegisterPipeline("WordCount.Define", "bbbb"));
        Assert.Null(fresh.Context.RecoveredFrom);
        fresh.Context.Start();
        StepWithInput(fresh, 1);
        Assert.Equal(["line=1", "word1=2"], fresh.Outputs.Single().Value);
    }

    [Fact]
    public async Task A_different_batch_interval_is_incompatible()
    {
        await using (var first = Create(Start))
        {
            first.Context.Start();
            StepWithInput(first, 1);
            await first.CrashAsync();
        }

        var error = Assert.Throws<CheckpointException>(() => Create(Start, batchInterval: TimeSpan.FromSeconds(2)));

        Assert.Contains("batch interval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_newest_checkpoint_falls_back_to_the_previous_one_and_replays_from_there()
    {
        var expected = await RunWithoutFailureAsync(5);
        await using (var first = Create(Start))
        {
            first.Context.Start();
            StepWithInput(first, 4);
            await first.CrashAsync();
        }

        var newest = Path.Combine(_folder.Path, "checkpoint-1004000.bin");
        var bytes = File.ReadAllBytes(newest);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);

        var warnings = new WarningCollector();
        await using var second = Create(Start + TimeSpan.FromSeconds(4), loggerFactory: warnings);
        Assert.Equal(new BatchTime(1_003_000), second.Context.RecoveredFrom);
        Assert.Contains(warnings.Warnings, w => w.Contains("checksum", StringComparison.Ordinal));
        second.Context.Start();
        second.WaitFor(new BatchTime(1_004_000));
        Assert.Equal(expected[1_004_000], second.Outputs[new BatchTime(1_004_000)]);
        StepWithInput(second, 1, offset: 4);
        Assert.Equal(expected[1_005_000], second.Outputs[new BatchTime(1_005_000)]);
    }

    [Fact]
    public async Task A_missing_folder_starts_fresh_and_creates_it()
    {
        var directory = Path.Combine(_folder.Path, "new", "nested");
        await using var run = CheckpointedWordCount.Create(directory, _log, Start);

        Assert.Null(run.Context.RecoveredFrom);
        run.Context.Start();
        StepWithInput(run, 1);
        Assert.True(File.Exists(Path.Combine(directory, "checkpoint-1001000.bin")));
    }

    [Fact]
    public void A_checkpoint_folder_that_is_a_file_fails_at_start_with_a_clear_error()
    {
        var file = Path.Combine(_folder.Path, "occupied");
        File.WriteAllText(file, "keep me");
        var run = CheckpointedWordCount.Create(file, _log, Start);

        var error = Assert.Throws<CheckpointException>(run.Context.Start);

        Assert.Contains("cannot be written", error.Message, StringComparison.Ordinal);
        Assert.Equal(StreamingContextState.Initialized, run.Context.State);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_written_stops_the_context_with_a_clear_error_and_keeps_older_checkpoints()
    {
        await using var run = Create(Start);
        run.Context.Start();
        StepWithInput(run, 2);
        Directory.CreateDirectory(Path.Combine(_folder.Path, "checkpoint-1003000.bin"));
        StepWithInput(run, 1, offset: 2);

        var error = await Assert.ThrowsAsync<CheckpointException>(() => run.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("1003000 ms", error.Message, StringComparison.Ordinal);
        await WaitUntilAsync(() => run.Context.State == StreamingContextState.Stopped);

        Directory.Delete(Path.Combine(_folder.Path, "checkpoint-1003000.bin"));
        await using var second = Create(Start + TimeSpan.FromSeconds(3));
        Assert.Equal(new BatchTime(1_002_000), second.Context.RecoveredFrom);
    }

    [Fact]
    public async Task A_full_disk_under_the_batch_journal_stops_the_context_with_a_clear_error()
    {
        Assert.True(File.Exists("/dev/full"), "This test simulates a full disk with /dev/full (Linux).");
        await using var run = Create(Start);
        run.Context.Start();
        // The journal is opened at the first batch; make it the device that answers every write with ENOSPC.
        File.CreateSymbolicLink(Path.Combine(_folder.Path, "batches.journal"), "/dev/full");
        AppendLine(1);
        run.Clock.Advance(CheckpointedWordCount.Interval);

        var error = await Assert.ThrowsAsync<CheckpointException>(() => run.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("batch journal", error.Message, StringComparison.Ordinal);
        Assert.Contains("Free disk space", error.Message, StringComparison.Ordinal);
        await WaitUntilAsync(() => run.Context.State == StreamingContextState.Stopped);
        Assert.Empty(run.Outputs);
        Assert.True(File.Exists(Path.Combine(_folder.Path, "checkpoint-1000000.bin")));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private CheckpointedWordCount Create(
        DateTimeOffset clockStart,
        TimeSpan? checkpointInterval = null,
        CheckpointOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        Action<StreamingContext>? configure = null,
        TimeSpan? batchInterval = null) =>
        CheckpointedWordCount.Create(_folder.Path, _log, clockStart, checkpointInterval, options, loggerFactory, configure, batchInterval);

    private void AppendLine(int batch)
    {
        lock (_log)
        {
            _log.Add($"line word{batch} word{batch % 3}");
        }
    }

    private void StepWithInput(CheckpointedWordCount run, int batches, int offset = 0)
    {
        for (var i = 1; i <= batches; i++)
        {
            AppendLine(offset + i);
            run.Step();
        }
    }

    /// <summary>The outputs of an uninterrupted run over the same input, keyed by batch time in ms.</summary>
    private async Task<Dictionary<long, string[]>> RunWithoutFailureAsync(int batches, TimeSpan? checkpointInterval = null)
    {
        using var folder = new TempFolder();
        var log = new List<string>();
        await using var run = CheckpointedWordCount.Create(folder.Path, log, Start, checkpointInterval);
        run.Context.Start();
        for (var i = 1; i <= batches; i++)
        {
            log.Add($"line word{i} word{i % 3}");
            run.Step();
        }

        return run.Outputs.ToDictionary(p => p.Key.Milliseconds, p => p.Value);
    }
}
