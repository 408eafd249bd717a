using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipelines.Testing;
using Pipelines.Tests.Checkpointing;

namespace Pipelines.Tests.Observability;

/// <summary>The figures Spark's UI does not show: time per stream, state and window data held, checkpoints, WAL, rates, partitions.</summary>
public sealed class StreamFiguresTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Stream_timings_give_each_stream_its_own_time_records_and_partitions()
    {
        var clock = new ManualClock();
        var timings = new StreamTimingRecorder(wants: true);
        var context = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock, Listeners = [timings] });
        context.QueueStream([new[] { 1, 2, 3, 4 }, [5, 6]])
            .Map(x =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(30));
                return x * 10;
            })
            .Repartition(2)
            .Filter(x =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(5));
                return x > 20;
            })
            .ForEachBatch((_, _) => { });
        context.Start();
        var first = StepTo(context, clock, 1);
        StepTo(context, clock, 2);
        await context.StopAsync(graceful: false);

        var streams = context.DescribeStreams();
        var map = streams.Single(s => s.Name == "Map");
        var filter = streams.Single(s => s.Name == "Filter");
        var repartition = streams.Single(s => s.Name == "Repartition");
        var source = streams.Single(s => s.Kind == StreamKind.Input);
        var atFirst = timings.Events.Where(e => e.BatchTime == first).ToDictionary(e => e.StreamId);

        Assert.Equal(TimeSpan.FromMilliseconds(4 * 30), atFirst[map.Id].OwnTime);
        Assert.Equal(TimeSpan.FromMilliseconds(4 * 5), atFirst[filter.Id].OwnTime);
        Assert.Equal(TimeSpan.FromMilliseconds(4 * 35), atFirst[filter.Id].TotalTime);
        Assert.Equal(TimeSpan.Zero, atFirst[source.Id].OwnTime);
        Assert.Equal(4, atFirst[map.Id].Records);
        Assert.Equal(2, atFirst[filter.Id].Records);
        Assert.Equal(2, atFirst[repartition.Id].Partitions);
        Assert.Equal("Filter", atFirst[filter.Id].Name);
        Assert.Equal(2, timings.Events.Count(e => e.StreamId == map.Id));
        Assert.Equal([map.Id], repartition.DependencyIds);
        Assert.Equal([source.Id], map.DependencyIds);
    }

    [Fact]
    public void No_stream_timings_are_measured_unless_a_listener_asks()
    {
        var silent = new StreamTimingRecorder(wants: false);
        using var run = StreamingTest.Start<int, int>([[1, 2]], s => s.Map(x => x + 1), Interval, new StreamingOptions { Listeners = [silent] });

        run.Step();

        Assert.Empty(silent.Events);
        var late = new StreamTimingRecorder(wants: true);
        run.Context.AddStreamingListener(late);
        run.Step();
        Assert.NotEmpty(late.Events);
        Assert.Empty(silent.Events); // only the listeners that ask get the events
    }

    [Fact]
    public void DescribeStreams_reports_keyed_state_keys_and_a_size_that_grows_with_them()
    {
        using var run = StreamingTest.Start<string, (string Key, int State)>(
            [["a", "b", "c", "a"], ["d"], []],
            s => s.Map(w => (w, 1)).UpdateStateByKey<string, int, int>((values, state) => Optional.Of(state.GetValueOrDefault(0) + values.Count)),
            Interval);

        Assert.Empty(new StreamingContext(Interval).DescribeStreams());
        run.Step();
        var afterFirst = run.Context.DescribeStreams().Single(s => s.Kind == StreamKind.State);
        run.Step();
        var afterSecond = run.Context.DescribeStreams().Single(s => s.Kind == StreamKind.State);

        Assert.Equal(3, afterFirst.StateKeys);
        Assert.Equal(4, afterSecond.StateKeys);
        Assert.True(afterFirst.EstimatedStateBytes >= 3 * IntPtr.Size, $"{afterFirst.EstimatedStateBytes} bytes for 3 string keys");
        Assert.Equal(afterFirst.EstimatedStateBytes * 4, afterSecond.EstimatedStateBytes * 3);
        Assert.Null(afterSecond.WindowBatchesHeld);
        Assert.Null(run.Context.DescribeStreams().Single(s => s.Name == "Map").StateKeys);
    }

    [Fact]
    public void DescribeStreams_reports_the_batches_and_entries_an_incremental_window_holds()
    {
        var batches = Enumerable.Range(0, 6).Select(i => new[] { "k" + i, "shared" }).ToArray();
        using var run = StreamingTest.Start<string, (string Key, int Value)>(
            batches,
            s => s.Map(w => (w, 1)).ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(3), Interval),
            Interval);

        var held = new List<StreamDescription>();
        for (var i = 0; i < 6; i++)
        {
            run.Step();
            held.Add(run.Context.DescribeStreams().Single(s => s.Kind == StreamKind.Window));
        }

        Assert.Equal([1, 2, 3, 3, 3, 3], held.Select(h => h.WindowBatchesHeld!.Value));
        Assert.Equal([2L, 4, 6, 6, 6, 6], held.Select(h => h.WindowRecordsHeld!.Value));
        // The result keeps "shared" and the keys of the batches in the window (and, unfiltered, keys gone to 0).
        Assert.True(held[^1].StateKeys >= 4, $"{held[^1].StateKeys} keys");
    }

    [Fact]
    public void DescribeStreams_reports_the_parent_batches_a_plain_window_reads()
    {
        using var run = StreamingTest.Start<int, int>(
            Enumerable.Range(1, 6).Select(i => Enumerable.Repeat(i, i)),
            s => s.Map(x => x).Window(TimeSpan.FromSeconds(2), Interval),
            Interval);

        for (var i = 0; i < 6; i++)
        {
            run.Step();
        }

        var window = run.Context.DescribeStreams().Single(s => s.Kind == StreamKind.Window);
        var map = run.Context.DescribeStreams().Single(s => s.Name == "Map");
        Assert.Equal(map.RememberedBatches, window.WindowBatchesHeld);
        Assert.Equal(map.RememberedRecords, window.WindowRecordsHeld);
        // The window covers the last 2 batches (5 + 6 records); the parent keeps them, and at most one more.
        Assert.InRange(window.WindowRecordsHeld!.Value, 11, 15);
    }

    [Fact]
    public async Task Checkpoint_events_carry_the_write_time_and_the_file_size()
    {
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(5_000_000));
        var written = new ConcurrentQueue<(CheckpointInfo Info, long SizeOnDisk)>();
        var measured = new ConcurrentBag<(string Instrument, double Value)>();
        using var meter = ListenTo(measured);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General);
        options.Converters.Add(new SlowCountConverter(clock, TimeSpan.FromMilliseconds(40)));
        var context = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock, Listeners = [new CheckpointRecorder(written)] });
        context.Checkpoint(_folder.Path, new CheckpointOptions { SerializerOptions = options });
        context.QueueStream([new[] { "x", "y" }, ["x"]])
            .Map(w => (w, new SlowCount(1)))
            .UpdateStateByKey<string, SlowCount, SlowCount>((values, state) => Optional.Of(new SlowCount(state.GetValueOrDefault(new SlowCount(0)).Value + values.Count)))
            .Checkpoint(Interval)
            .ForEachBatch((_, _) => { });
        context.Start();
        StepTo(context, clock, 5_001);
        StepTo(context, clock, 5_002);
        await context.StopAsync(graceful: false);

        var events = written.ToArray();
        Assert.Equal([5_000_000L, 5_001_000, 5_002_000], events.Select(e => e.Info.Time.Milliseconds));
        Assert.All(events, e => Assert.Equal(e.SizeOnDisk, e.Info.Bytes));
        Assert.All(events, e => Assert.True(e.Info.Bytes > 0));
        // Each state entry's serialization advanced the clock by 40 ms: 0, 2 and 2 keys.
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(80), TimeSpan.FromMilliseconds(80)], events.Select(e => e.Info.Duration));
        Assert.Contains((StreamingMetrics.CheckpointWriteTime, 80.0), measured);
        Assert.Contains((StreamingMetrics.CheckpointSize, (double)events[^1].Info.Bytes), measured);
    }

    [Fact]
    public async Task DescribeInputs_reports_the_rate_limit_and_the_write_ahead_log_size()
    {
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(7_000_000));
        var receiver = new TestReceiver();
        var context = new StreamingContext(Interval, new StreamingOptions { TimeProvider = clock, Backpressure = new BackpressureOptions { MaxRatePerReceiver = 250 } });
        context.Checkpoint(_folder.Path, new CheckpointOptions { ReceiverWriteAheadLog = true });
        context.ReceiverStream(receiver).ForEachBatch((_, _) => { });
        var unused = context.QueueStream([new[] { 1 }]);
        Assert.Equal(2, context.DescribeInputs().Count);
        context.Start();
        await receiver.StoreAsync(["alpha", "beta"]);

        var inputs = context.DescribeInputs();
        var logFolder = Directory.GetDirectories(Path.Combine(_folder.Path, "receivedData")).Single();
        var onDisk = Directory.GetFiles(logFolder).Sum(f => new FileInfo(f).Length);
        await context.StopAsync(graceful: false);

        Assert.Equal(250, inputs[0].RateLimit);
        Assert.Equal(onDisk, inputs[0].WriteAheadLogBytes);
        Assert.True(onDisk > 0);
        Assert.Equal(context.DescribeStreams().Single(s => s.Kind == StreamKind.Input).Id, inputs[0].StreamId);
        Assert.Null(inputs[1].RateLimit);
        Assert.Null(inputs[1].WriteAheadLogBytes);
        Assert.Null(inputs[1].StreamId); // no output reads it
    }

    [Fact]
    public async Task Backpressure_changes_the_reported_rate_limit_after_batches()
    {
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds(9_000_000));
        var receiver = new TestReceiver();
        var context = new StreamingContext(Interval, new StreamingOptions
        {
            TimeProvider = clock,
            Backpressure = new BackpressureOptions { Enabled = true, InitialRate = 1000 },
        });
        context.ReceiverStream(receiver).ForEachBatch((_, _) => clock.Advance(TimeSpan.FromMilliseconds(500)));
        context.Start();
        var rates = new List<double?> { context.DescribeInputs()[0].RateLimit };
        for (var i = 0; i < 3; i++)
        {
            await receiver.StoreAsync(Enumerable.Range(0, 100).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            StepTo(context, clock, 9_001 + i);
            rates.Add(context.DescribeInputs()[0].RateLimit);
        }

        await context.StopAsync(graceful: false);

        Assert.Equal(1000, rates[0]);
        // 100 records processed in 500 ms: the PID estimator moves the rate off its initial 1000/s towards 200/s.
        Assert.Contains(rates, rate => rate is < 1000);
    }

    [Fact]
    public async Task State_figures_are_published_as_gauges_while_the_context_runs()
    {
        var measured = new ConcurrentBag<(string Instrument, double Value, string? Application)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StreamingMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            string? application = null;
            foreach (var tag in tags)
            {
                if (tag.Key == StreamingMetrics.ApplicationTag)
                {
                    application = tag.Value as string;
                }
            }

            measured.Add((instrument.Name, value, application));
        });
        listener.Start();
        var run = StreamingTest.Start<string, (string Key, int State)>(
            [["a", "b", "c", "d", "e"]],
            s => s.Map(w => (w, 1)).UpdateStateByKey<string, int, int>((values, state) => Optional.Of(state.GetValueOrDefault(0) + values.Count)),
            Interval);
        var application = run.Context.ApplicationId;
        run.Step();
        var state = run.Context.DescribeStreams().Single(s => s.Kind == StreamKind.State);

        listener.RecordObservableInstruments();
        await run.Context.StopAsync(graceful: false);
        run.Dispose();
        var beforeStop = measured.Where(m => m.Application == application).ToArray();
        measured.Clear();
        listener.RecordObservableInstruments();

        Assert.Contains((StreamingMetrics.StateKeys, 5.0, application), beforeStop);
        Assert.Contains((StreamingMetrics.StateBytes, (double)state.EstimatedStateBytes!.Value, application), beforeStop);
        Assert.DoesNotContain(measured, m => m.Application == application);
    }

    [Fact]
    public async Task Resources_tied_to_the_context_are_disposed_when_it_stops_newest_first()
    {
        var disposed = new ConcurrentQueue<string>();
        using var run = StreamingTest.Start<int, int>([[1]], s => s, Interval);
        run.Context.DisposeOnStop(new Resource("first", disposed));
        run.Context.DisposeOnStop(new Resource("second", disposed));
        run.Step();
        Assert.Empty(disposed);

        await run.Context.StopAsync();

        Assert.Equal(["second", "first"], disposed);
        run.Context.DisposeOnStop(new Resource("late", disposed));
        Assert.Equal(["second", "first", "late"], disposed);
    }

    /// <summary>
    /// Moves the clock to the batch time <paramref name="second"/> s and waits for that batch. Tests here advance the
    /// clock inside batches, so the batch to wait for is named, never read back from the clock.
    /// </summary>
    private static BatchTime StepTo(StreamingContext context, ManualClock clock, long second)
    {
        var time = new BatchTime(second * 1000);
        var now = BatchTime.FromDateTimeOffset(clock.GetUtcNow());
        Assert.True(now < time, $"The clock ({now}) is already past {time}.");
        clock.Advance(TimeSpan.FromMilliseconds(time.Milliseconds - now.Milliseconds));
        Assert.True(context.Scheduler!.WhenCompletedAsync(time).Wait(TimeSpan.FromSeconds(30)), $"The batch at {time} did not finish.");
        return time;
    }

    private static MeterListener ListenTo(ConcurrentBag<(string Instrument, double Value)> measured)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StreamingMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measured.Add((instrument.Name, value)));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measured.Add((instrument.Name, value)));
        listener.Start();
        return listener;
    }

    private sealed class StreamTimingRecorder(bool wants) : IStreamingListener
    {
        public ConcurrentQueue<StreamComputedInfo> Events { get; } = new();

        public bool WantsStreamTimings => wants;

        public void OnStreamComputed(StreamComputedInfo stream) => Events.Enqueue(stream);
    }

    private sealed class CheckpointRecorder(ConcurrentQueue<(CheckpointInfo, long)> written) : IStreamingListener
    {
        public void OnCheckpointWritten(CheckpointInfo checkpoint) => written.Enqueue((checkpoint, new FileInfo(checkpoint.Path).Length));
    }

    private sealed class Resource(string name, ConcurrentQueue<string> disposed) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            disposed.Enqueue(name);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A receiver the test drives: it stores what the test hands it.</summary>
    private sealed class TestReceiver : Receiver<string>
    {
        public override void OnStart()
        {
        }

        public override void OnStop()
        {
        }
    }

    /// <summary>A state value whose serialization takes a known time on the manual clock.</summary>
    private readonly record struct SlowCount(int Value);

    private sealed class SlowCountConverter(ManualClock clock, TimeSpan cost) : JsonConverter<SlowCount>
    {
        public override SlowCount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt32());

        public override void Write(Utf8JsonWriter writer, SlowCount value, JsonSerializerOptions options)
        {
            clock.Advance(cost);
            writer.WriteNumberValue(value.Value);
        }
    }
}
