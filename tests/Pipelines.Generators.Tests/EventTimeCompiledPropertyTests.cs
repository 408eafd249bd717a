using Pipelines.Generators.Tests.Compiled;
using Pipelines.Testing;
using Pipelines.Tests.EventTime;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Generators.Tests;

/// <summary>
/// The fused (compiled) event-time windows against the reference implementation and the interpreted definitions, on
/// random out-of-order streams with late records (30 fixed seeds): results per batch, the late count and the late
/// records' side output.
/// </summary>
public sealed class EventTimeCompiledPropertyTests
{
    private delegate DStream<EventWindow<string, int>> Sums(DStream<Reading> readings);

    private static readonly (int MaxDelay, int Window, int Slide, Sums Define, Sums Compile)[] Shapes =
    [
        (2, 6, 2, EventTimePropertyPipelines.DefineSlidingSums, EventTimePropertyPipelines.CompileSlidingSums),
        (5, 10, 5, EventTimePropertyPipelines.DefineHoppingSums, EventTimePropertyPipelines.CompileHoppingSums),
        (0, 4, 4, EventTimePropertyPipelines.DefineTumblingSums, EventTimePropertyPipelines.CompileTumblingSums),
    ];

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 30)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Compiled_event_time_windows_equal_the_reference_and_the_interpreted_path(int seed)
    {
        var (maxDelay, window, slide, define, compile) = Shapes[seed % Shapes.Length];
        var input = EventTimeReference.RandomStream(seed, 40);
        var expected = EventTimeReference.SlidingSums(input, maxDelay, window, slide);
        var (_, late) = EventTimeReference.Split(input, EventTimeReference.Watermarks(input, maxDelay));

        var (compiled, compiledLate) = RunSums(input, compile);
        var (interpreted, interpretedLate) = RunSums(input, define);

        Assert.Equal(Canonical(expected), Canonical(compiled));
        Assert.Equal(Canonical(interpreted), Canonical(compiled));
        Assert.Equal(late, compiledLate);
        Assert.Equal(interpretedLate, compiledLate);
        Assert.True(late > 0 || maxDelay > 0, "the tumbling zero-delay streams must have late records");
        Assert.Contains(expected, batch => batch.Count > 0);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Compiled_late_records_side_output_equals_the_reference(int seed)
    {
        var input = EventTimeReference.RandomStream(seed + 500, 40);
        var watermarks = EventTimeReference.Watermarks(input, 2);
        var expected = input.Select((batch, i) => batch.Where(r => watermarks[i].Before is { } w && r.Second < w).Select(r => $"{r.Key}={r.Value}")).ToArray();

        var compiled = StreamingTest.Run(input, readings => EventTimePropertyPipelines.CompileSlidingLateRecords(readings).Map(p => $"{p.Key}={p.Value}"), input.Length);
        var interpreted = StreamingTest.Run(input, readings => EventTimePropertyPipelines.DefineSlidingLateRecords(readings).Map(p => $"{p.Key}={p.Value}"), input.Length);

        Assert.Equal(Canonical(expected), Canonical(compiled));
        Assert.Equal(Canonical(interpreted), Canonical(compiled));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(29)]
    public void Compiled_counts_early_results_record_windows_and_block_reducers_equal_interpreted(int seed)
    {
        var input = EventTimeReference.RandomStream(seed, 40);

        Assert.Equal(
            Canonical(StreamingTest.Run(input, r => EventTimePropertyPipelines.DefineKeyCounts(r).Map(Show), input.Length)),
            Canonical(StreamingTest.Run(input, r => EventTimePropertyPipelines.CompileKeyCounts(r).Map(Show), input.Length)));
        Assert.Equal(
            Canonical(StreamingTest.Run(input, EventTimePropertyPipelines.DefineEarlyCounts, input.Length)),
            Canonical(StreamingTest.Run(input, EventTimePropertyPipelines.CompileEarlyCounts, input.Length)));
        Assert.Equal(
            Canonical(StreamingTest.Run(input, EventTimePropertyPipelines.DefineWindowedRecords, input.Length)),
            Canonical(StreamingTest.Run(input, EventTimePropertyPipelines.CompileWindowedRecords, input.Length)));
        Assert.Equal(
            Canonical(StreamingTest.Run(input, r => EventTimePropertyPipelines.DefineBlockReducer(r).Map(Show), input.Length)),
            Canonical(StreamingTest.Run(input, r => EventTimePropertyPipelines.CompileBlockReducer(r).Map(Show), input.Length)));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(11)]
    [InlineData(23)]
    public void A_compiled_union_of_event_time_streams_equals_the_reference_and_the_interpreted_path(int seed)
    {
        var random = new Random(seed);
        var fast = EventTimeReference.RandomStream(seed, 30);
        Reading[]?[] slow = [.. EventTimeReference.RandomStream(seed + 100, 30).Select(b => random.Next(6) switch
        {
            0 => null,
            1 => [],
            _ => b.Select(r => r with { Key = r.Key.ToUpperInvariant(), Second = Math.Max(0, r.Second - 20) }).ToArray(),
        })];
        var watermarks = EventTimeReference.CombinedWatermarks([fast, slow], [2, 4], idleBatches: 3);
        Reading[][] merged = [.. fast.Select((b, i) => b.Concat(slow[i] ?? []).ToArray())];
        var expected = EventTimeReference.SlidingSums(merged, watermarks, 6, 3);

        var compiled = StreamingTest.Run(fast, slow, (a, b) => EventTimePropertyPipelines.CompileUnionSums(a, b).Map(Show), fast.Length);
        var interpreted = StreamingTest.Run(fast, slow, (a, b) => EventTimePropertyPipelines.DefineUnionSums(a, b).Map(Show), fast.Length);

        Assert.Equal(Canonical(expected), Canonical(compiled));
        Assert.Equal(Canonical(interpreted), Canonical(compiled));
        Assert.Contains(expected, batch => batch.Count > 0);
    }

    [Fact]
    public void Compiled_definitions_return_the_runtime_compiled_event_time_stream()
    {
        using var run = StreamingTest.Start(EventTimeReference.RandomStream(1, 2), readings =>
        {
            var windows = EventTimePropertyPipelines.CompileSlidingSums(readings);
            Assert.Equal("CompiledEventWindowDStream`5", windows.GetType().Name);
            return windows;
        });
        run.RunToList(2);
    }

    private static (IReadOnlyList<IReadOnlyList<string>> Results, long Late) RunSums(Reading[][] input, Sums definition)
    {
        EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>? sums = null;
        using var run = StreamingTest.Start(input, readings =>
        {
            var windows = definition(readings);
            sums = Assert.IsAssignableFrom<EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>>(windows);
            return windows.Map(Show);
        });
        var results = run.RunToList(input.Length);
        return (results, sums!.LateRecordCount);
    }
}
