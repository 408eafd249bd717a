using Verifier = Pipelines.Analyzers.Tests.Infrastructure.Verify<Pipelines.Analyzers.Windows.WindowDurationAnalyzer>;

namespace Pipelines.Analyzers.Tests.Windows;

public class WindowDurationTests
{
    private const string Usings = """
        using System;
        using Pipelines;

        """;

    [Fact]
    public Task Window_length_not_a_multiple_of_the_batch_interval_is_reported_at_the_duration() =>
        Verifier.AnalyzerAsync(Usings + """
            public static class Job
            {
                public static void Run()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(2));
                    var lines = ssc.QueueStream(new[] { new[] { "a" } });
                    lines.Window({|#0:TimeSpan.FromSeconds(3)|}, TimeSpan.FromSeconds(4)).Print();
                }
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.WindowDurationNotMultiple)
                .WithLocation(0).WithArguments("window length", "Window", "3000 ms", "the batch interval", "2000 ms"));

    [Fact]
    public Task Slide_not_a_multiple_of_the_batch_interval_is_reported() =>
        Verifier.AnalyzerAsync(Usings + """
            public static class Job
            {
                public static void Run()
                {
                    var ssc = new StreamingContext(new TimeSpan(0, 0, 1));
                    var pairs = ssc.QueueStream(new[] { new[] { ("a", 1) } });
                    pairs.ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(4), {|PIPE003:TimeSpan.FromMilliseconds(1500)|}).Print();
                    pairs.Map(p => p.Item2).CountByWindow(slideDuration: {|PIPE003:TimeSpan.FromMilliseconds(500)|}, windowDuration: {|PIPE003:TimeSpan.FromMilliseconds(2500)|}).Print();
                }
            }
            """);

    [Fact]
    public Task The_numPartitions_overloads_of_window_and_state_operators_are_checked_like_the_others() =>
        Verifier.AnalyzerAsync(Usings + """
            public static class Job
            {
                public static void Run()
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    var pairs = ssc.QueueStream(new[] { new[] { ("a", 1) } });
                    pairs.ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(4), {|PIPE003:TimeSpan.FromMilliseconds(1500)|}, 4).Print();
                    pairs.ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, {|PIPE003:TimeSpan.FromMilliseconds(2500)|}, TimeSpan.FromSeconds(1), numPartitions: 2, filter: p => p.Value != 0).Print();
                    pairs.GroupByKeyAndWindow(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), numPartitions: 3).Print();
                    pairs.Map(p => p.Item1).CountByValueAndWindow({|PIPE003:TimeSpan.FromMilliseconds(700)|}, TimeSpan.FromSeconds(1), 2).Print();
                    pairs.UpdateStateByKey((System.Collections.Generic.IReadOnlyList<int> v, Optional<int> s) => new Optional<int>(v.Count), 2).Print();
                }
            }
            """);

    [Fact]
    public Task Durations_held_in_locals_and_built_with_operators_are_evaluated() =>
        Verifier.AnalyzerAsync(Usings + """
            public static class Job
            {
                public static void Run()
                {
                    var batch = TimeSpan.FromMilliseconds(400);
                    var ssc = new StreamingContext(batch);
                    var lines = ssc.QueueStream(new[] { new[] { 1 } });
                    var window = batch * 3 + TimeSpan.FromMilliseconds(100);
                    var counts = lines.Map(x => x * 2);
                    counts.ReduceByWindow((a, b) => a + b, (a, b) => a - b, {|PIPE003:window|}, batch * 2).Print();
                    counts.Window(TimeSpan.FromSeconds(1.2), TimeSpan.FromTicks(8_000_000)).Print();
                }
            }
            """);

    [Fact]
    public Task A_window_over_a_window_must_be_a_multiple_of_the_parent_slide() =>
        Verifier.AnalyzerAsync(Usings + """
            public static class Job
            {
                // No context here: the parent's slide alone is known.
                public static DStream<int> Define(DStream<int> numbers) =>
                    numbers.Window(TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(4))
                           .Map(x => x + 1)
                           .Window({|#0:TimeSpan.FromSeconds(6)|}, TimeSpan.FromSeconds(12));
            }
            """,
            Verifier.Diagnostic(DiagnosticDescriptors.WindowDurationNotMultiple)
                .WithLocation(0).WithArguments("window length", "Window", "6000 ms", "the slide of the parent 'Window'", "4000 ms"));

    [Fact]
    public Task Multiples_and_unknown_durations_are_not_reported() =>
        Verifier.AnalyzerAsync(Usings + """
            public static class Job
            {
                public static void Run(TimeSpan configured)
                {
                    var ssc = new StreamingContext(TimeSpan.FromSeconds(1));
                    var lines = ssc.QueueStream(new[] { new[] { "a b" } });
                    // Spark allows a window that is not a multiple of its own slide; both are multiples of the batch.
                    lines.Window(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2)).Print();
                    lines.Window(TimeSpan.FromSeconds(10)).Print();
                    lines.Map(l => (l, 1)).GroupByKeyAndWindow(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5)).Print();
                    lines.Window(configured, configured).Print();

                    var reassigned = TimeSpan.FromSeconds(2);
                    reassigned = TimeSpan.FromMilliseconds(1500);
                    lines.Window(TimeSpan.FromSeconds(6), reassigned).Print();
                }

                public static void FromElsewhere(StreamingContext ssc, DStream<string> lines)
                {
                    // The batch interval is not known in this method.
                    lines.Window(TimeSpan.FromMilliseconds(1300)).Print();
                    ssc.QueueStream(new[] { new[] { 1 } }).Window(TimeSpan.FromMilliseconds(700)).Print();
                }

                public static void ContextFromOptions(TimeSpan interval)
                {
                    var ssc = new StreamingContext(interval);
                    ssc.QueueStream(new[] { new[] { 1 } }).Window(TimeSpan.FromMilliseconds(700)).Print();
                }
            }
            """);
}
