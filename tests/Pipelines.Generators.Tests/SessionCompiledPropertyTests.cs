using Pipelines.Generators.Tests.Compiled;
using Pipelines.Testing;
using Pipelines.Tests.EventTime;
using static Pipelines.Tests.EventTime.EventTimeTestData;

namespace Pipelines.Generators.Tests;

/// <summary>
/// The fused (compiled) session windows against the reference implementation and the interpreted definitions, on
/// random out-of-order streams with late records (30 fixed seeds): results per batch, the late count, the late
/// records' side output, early results, narrow operators before and after, and batches split into partitions run in
/// parallel.
/// </summary>
public sealed class SessionCompiledPropertyTests
{
    private delegate DStream<EventWindow<string, int>> Sessions(DStream<Reading> readings);

    private static readonly (int MaxDelay, int Gap, Sessions Define, Sessions Compile)[] Shapes =
    [
        (2, 3, SessionPropertyPipelines.DefineSessionsDelay2Gap3, SessionPropertyPipelines.CompileSessionsDelay2Gap3),
        (5, 1, SessionPropertyPipelines.DefineSessionsDelay5Gap1, SessionPropertyPipelines.CompileSessionsDelay5Gap1),
        (0, 4, SessionPropertyPipelines.DefineSessionsDelay0Gap4, SessionPropertyPipelines.CompileSessionsDelay0Gap4),
    ];

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 30)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Compiled_session_windows_equal_the_reference_and_the_interpreted_path(int seed)
    {
        var (maxDelay, gap, define, compile) = Shapes[seed % Shapes.Length];
        var input = EventTimeReference.RandomStream(seed + 1000, 40);
        var expected = EventTimeReference.SessionSums(input, maxDelay, gap);
        var (_, late) = EventTimeReference.Split(input, EventTimeReference.Watermarks(input, maxDelay));

        var (compiled, compiledLate, compiledType) = RunSessions(input, compile);
        var (interpreted, interpretedLate, _) = RunSessions(input, define);

        Assert.Equal("CompiledSessionWindowDStream`3", compiledType);
        Assert.Equal(Canonical(expected), Canonical(compiled));
        Assert.Equal(Canonical(interpreted), Canonical(compiled));
        Assert.Equal(late, compiledLate);
        Assert.Equal(interpretedLate, compiledLate);
        Assert.Contains(expected, batch => batch.Count > 0);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Compiled_session_late_records_side_output_equals_the_reference(int seed)
    {
        var input = EventTimeReference.RandomStream(seed + 700, 40);
        var watermarks = EventTimeReference.Watermarks(input, 2);
        var expected = input.Select((batch, i) => batch.Where(r => watermarks[i].Before is { } w && r.Second < w).Select(r => $"{r.Key}={r.Value}")).ToArray();

        var compiled = StreamingTest.Run(input, readings => SessionPropertyPipelines.CompileSessionLateRecords(readings).Map(p => $"{p.Key}={p.Value}"), input.Length);
        var interpreted = StreamingTest.Run(input, readings => SessionPropertyPipelines.DefineSessionLateRecords(readings).Map(p => $"{p.Key}={p.Value}"), input.Length);

        Assert.Equal(Canonical(expected), Canonical(compiled));
        Assert.Equal(Canonical(interpreted), Canonical(compiled));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(29)]
    public void A_filter_and_map_before_with_event_time_compile_to_the_reference_on_the_filtered_stream(int seed)
    {
        var input = EventTimeReference.RandomStream(seed, 40);
        Reading[][] filtered = [.. input.Select(b => b.Where(r => r.Key != "c").Select(r => r with { Value = r.Value * 10 }).ToArray())];
        var expected = EventTimeReference.SessionSums(filtered, 2, 3);

        var compiled = StreamingTest.Run(input, r => SessionPropertyPipelines.CompileFilteredBeforeSessions(r).Map(Show), input.Length);
        var interpreted = StreamingTest.Run(input, r => SessionPropertyPipelines.DefineFilteredBeforeSessions(r).Map(Show), input.Length);

        Assert.Equal(Canonical(expected), Canonical(compiled));
        Assert.Equal(Canonical(interpreted), Canonical(compiled));
        Assert.Contains(expected, batch => batch.Count > 0);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(29)]
    public void Compiled_sessions_with_operators_after_early_results_block_and_ordered_reducers_equal_interpreted(int seed)
    {
        var input = EventTimeReference.RandomStream(seed, 40);

        AssertSameSequences(input, SessionPropertyPipelines.DefineSessionsFilteredAfter, SessionPropertyPipelines.CompileSessionsFilteredAfter);
        AssertSameSequences(input, SessionPropertyPipelines.DefineEarlySessions, SessionPropertyPipelines.CompileEarlySessions);
        AssertSameSequences(input, SessionPropertyPipelines.DefineOrderedSessions, SessionPropertyPipelines.CompileOrderedSessions);
        AssertSameSequences(input, r => SessionPropertyPipelines.DefineBlockReducerSessions(r).Map(Show), r => SessionPropertyPipelines.CompileBlockReducerSessions(r).Map(Show));

        // The early results are there to compare (not an empty run), and sessions merge reducer calls across records.
        Assert.Contains(StreamingTest.Run(input, SessionPropertyPipelines.CompileEarlySessions, input.Length), b => b.Any(s => s.EndsWith(" early", StringComparison.Ordinal)));
        Assert.Contains(StreamingTest.Run(input, SessionPropertyPipelines.CompileOrderedSessions, input.Length), b => b.Any(s => s.Contains("((", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 3)]
    [InlineData(4, 5)]
    public void Compiled_sessions_over_several_partitions_in_parallel_equal_the_interpreted_path_and_the_reference(int parallelism, int partitions)
    {
        for (var seed = 1; seed <= 5; seed++)
        {
            var input = EventTimeReference.RandomStream(seed + 300, 40);
            var largest = input.Max(b => b.Length);
            var partitioned = new StreamingOptions { Parallelism = parallelism, InputPartitionRecords = Math.Max(1, (largest + partitions - 1) / partitions) };
            var single = new StreamingOptions { Parallelism = 1, InputPartitionRecords = partitioned.InputPartitionRecords };
            var expected = EventTimeReference.SessionSums(input, 2, 3);

            var compiled = Run(input, r => SessionPropertyPipelines.CompileSessionsDelay2Gap3(r).Map(Show), partitioned);
            var interpreted = Run(input, r => SessionPropertyPipelines.DefineSessionsDelay2Gap3(r).Map(Show), single);
            var orderedCompiled = Run(input, SessionPropertyPipelines.CompileOrderedSessions, partitioned);
            var orderedInterpreted = Run(input, SessionPropertyPipelines.DefineOrderedSessions, single);

            Assert.Equal(Canonical(expected), Canonical(compiled));
            Assert.Equal(Canonical(interpreted), Canonical(compiled));
            Assert.Equal(Canonical(orderedInterpreted), Canonical(orderedCompiled));
        }
    }

    private static IReadOnlyList<IReadOnlyList<string>> Run(Reading[][] input, Func<DStream<Reading>, DStream<string>> definition, StreamingOptions options)
    {
        using var run = StreamingTest.Start(input, definition, options: options);
        return run.RunToList(input.Length);
    }

    private static void AssertSameSequences(Reading[][] input, Func<DStream<Reading>, DStream<string>> define, Func<DStream<Reading>, DStream<string>> compile) =>
        Assert.Equal(
            Canonical(StreamingTest.Run(input, define, input.Length)),
            Canonical(StreamingTest.Run(input, compile, input.Length)));

    private static (IReadOnlyList<IReadOnlyList<string>> Results, long Late, string Type) RunSessions(Reading[][] input, Sessions definition)
    {
        EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>? sessions = null;
        using var run = StreamingTest.Start(input, readings =>
        {
            var windows = definition(readings);
            sessions = Assert.IsAssignableFrom<EventTimeAggregateDStream<EventWindow<string, int>, (string Key, int Value)>>(windows);
            return windows.Map(Show);
        });
        var results = run.RunToList(input.Length);
        return (results, sessions!.LateRecordCount, sessions.GetType().Name);
    }
}
