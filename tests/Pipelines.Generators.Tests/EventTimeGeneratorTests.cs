using Microsoft.CodeAnalysis;
using Pipelines.Generators.Tests.Support;

namespace Pipelines.Generators.Tests;

/// <summary>
/// Event-time operators in a definition: no diagnostic, the stages around them compiled, and each event-time operator
/// handed to the runtime as written (the event-time Map/Filter/FlatMap/MapValues/MapWithState, not the arrival-time ones).
/// </summary>
public sealed class EventTimeGeneratorTests
{
    private const string Source = """
        using System;
        using Pipelines;

        namespace Sample;

        [StreamingPipeline]
        public static partial class Clicks
        {
            public static DStream<EventWindow<string, int>> DefinePerPage(DStream<string> lines) =>
                lines.Filter(line => line.Length > 2)
                     .WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.FromSeconds(5))
                     .Map(line => (line.Substring(0, 1), 1))
                     .MapValues(v => v * 2)
                     .ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromSeconds(10));

            public static DStream<int> DefineCounts(DStream<string> lines) =>
                lines.WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.Zero)
                     .Filter(line => line.Length > 0)
                     .CountByEventWindow(TimeSpan.FromSeconds(4))
                     .Map(w => (int)w.Value + 1);
        }
        """;

    [Fact]
    public void Event_time_windows_are_fused_with_the_stages_before_them_and_the_stages_after_them_are_compiled()
    {
        var (result, diagnostics) = GeneratorHarness.Run(Source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("Compiled chain: Filter → WithEventTime → Map → MapValues → ReduceByKeyAndEventWindow.", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("Runs interpreted", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("return DefinePerPage(", generated, StringComparison.Ordinal);
        Assert.DoesNotContain(".WithEventTime(", generated, StringComparison.Ordinal);
        Assert.Contains("return global::Pipelines.Compilation.CompiledEventTime.ReduceByKeyAndEventWindow(lines, \"ReduceByKeyAndEventWindow\", new CompilePerPageEventTimeStage(), maxDelay: TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));", generated, StringComparison.Ordinal);
        Assert.Contains("long eventTicks = (DateTimeOffset.UnixEpoch.AddSeconds(line.Length)).UtcTicks;", generated, StringComparison.Ordinal);
        Assert.Contains("var countByEventWindow = global::Pipelines.Compilation.CompiledEventTime.CountByEventWindow(lines, \"CountByEventWindow\", new CompileCountsEventTimeStage(), maxDelay: TimeSpan.Zero, TimeSpan.FromSeconds(4));", generated, StringComparison.Ordinal);
        Assert.Contains("CompiledStream.CreatePartitioned(countByEventWindow", generated, StringComparison.Ordinal); // the Map after the window runs partition by partition
        Assert.Contains("<para>Event time fused (<c>CompilePerPageEventTimeStage</c>, ReduceByKeyAndEventWindow)", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_time_streams_read_twice_and_method_groups_stay_the_runtimes()
    {
        const string source = """
            using System;
            using Pipelines;

            namespace Sample;

            [StreamingPipeline]
            public static partial class Kept
            {
                public static DStream<EventWindow<string, int>> DefineShared(DStream<string> lines)
                {
                    var timed = lines.WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.Zero).Map(line => (line, 1));
                    return timed.ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromSeconds(4))
                        .Union(timed.ReduceByKeyAndEventWindow((a, b) => a * b, TimeSpan.FromSeconds(4)));
                }

                public static DStream<EventWindow<string, int>> DefineSharedSessions(DStream<string> lines)
                {
                    var timed = lines.WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.Zero).Map(line => (line, 1));
                    return timed.ReduceByKeyAndSessionWindow((a, b) => a + b, TimeSpan.FromSeconds(4))
                        .Union(timed.ReduceByKeyAndSessionWindow((a, b) => a * b, TimeSpan.FromSeconds(4)));
                }

                public static DStream<EventWindow<long>> DefineMethodGroup(DStream<string> lines) =>
                    lines.WithEventTime(TimeOf, TimeSpan.Zero).CountByEventWindow(TimeSpan.FromSeconds(4));

                public static DStream<EventWindow<string, (int, int)>> DefineUnionJoin(DStream<string> left, DStream<string> right) =>
                    left.WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.Zero).Map(line => (line, 1))
                        .Union(right.WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.Zero).Map(line => (line, 2)), TimeSpan.FromSeconds(5))
                        .Join(right.WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.Zero).Map(line => (line, 3)))
                        .ReduceByKeyAndEventWindow((a, b) => (a.Item1 + b.Item1, a.Item2 + b.Item2), TimeSpan.FromSeconds(4));

                public static DateTimeOffset TimeOf(string line) => DateTimeOffset.UnixEpoch.AddSeconds(line.Length);
            }
            """;

        var (result, diagnostics) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        Assert.DoesNotContain("CompiledEventTime", generated, StringComparison.Ordinal);
        Assert.Contains("var withEventTime = lines.WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.Zero);", generated, StringComparison.Ordinal);
        Assert.Contains(".ReduceByKeyAndSessionWindow((a, b) => a * b, TimeSpan.FromSeconds(4))", generated, StringComparison.Ordinal);
        Assert.Contains(".ReduceByKeyAndSessionWindow((a, b) => a + b, TimeSpan.FromSeconds(4))", generated, StringComparison.Ordinal);
        Assert.Contains("lines.WithEventTime(TimeOf, TimeSpan.Zero)", generated, StringComparison.Ordinal);
        Assert.Contains(".Union(", generated, StringComparison.Ordinal); // the event-time Union and Join are the runtime's, combining watermarks
        Assert.Contains(".Join(", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("Runs interpreted", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void Fused_event_time_window_snapshot() => GeneratorTests.VerifySnapshot(Source);

    private const string SessionSource = """
        using System;
        using Pipelines;

        namespace Sample;

        [StreamingPipeline]
        public static partial class Visits
        {
            public static DStream<EventWindow<string, int>> DefineSessions(DStream<string> lines) =>
                lines.Filter(line => line.Length > 2)
                     .WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.FromSeconds(5))
                     .Map(line => (line.Substring(0, 1), 1))
                     .MapValues(v => v * 2)
                     .ReduceByKeyAndSessionWindow((a, b) => a + b, TimeSpan.FromSeconds(30));

            public static DStream<string> DefineLongSessions(DStream<string> lines) =>
                lines.WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.Zero)
                     .Filter(line => line.Length > 0)
                     .Map(line => (line, (long)line.Length))
                     .ReduceByKeyAndSessionWindow((a, b) =>
                     {
                         var sum = a + b;
                         return sum;
                     }, TimeSpan.FromSeconds(10), new EventWindowOptions { EmitEarlyResults = true })
                     .Filter(w => w.Value > 100)
                     .Map(w => w.Key);
        }
        """;

    [Fact]
    public void Session_windows_are_fused_with_the_stages_before_them_and_the_stages_after_them_are_compiled()
    {
        var (result, diagnostics) = GeneratorHarness.Run(SessionSource);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("Compiled chain: Filter → WithEventTime → Map → MapValues → ReduceByKeyAndSessionWindow.", generated, StringComparison.Ordinal);
        Assert.Contains("Compiled chain: WithEventTime → Filter → Map → ReduceByKeyAndSessionWindow → Filter → Map.", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("Runs interpreted", generated, StringComparison.Ordinal);
        Assert.DoesNotContain(".WithEventTime(", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("(a, b) => a + b, TimeSpan.FromSeconds(30)", generated, StringComparison.Ordinal); // the reducer is inlined, not passed
        Assert.Contains("return global::Pipelines.Compilation.CompiledEventTime.ReduceByKeyAndSessionWindow(lines, \"ReduceByKeyAndSessionWindow\", new CompileSessionsEventTimeStage(), maxDelay: TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));", generated, StringComparison.Ordinal);
        Assert.Contains("global::Pipelines.Compilation.ISessionWindowStage<string, string, int>", generated, StringComparison.Ordinal);
        Assert.Contains("sessions.Add(key, eventTicks, record.Item2);", generated, StringComparison.Ordinal);
        Assert.Contains("public int Reduce(int earlier, int later)", generated, StringComparison.Ordinal);
        Assert.Contains("new EventWindowOptions { EmitEarlyResults = true })", generated, StringComparison.Ordinal);
        Assert.Contains("<para>Event time fused (<c>CompileSessionsEventTimeStage</c>, ReduceByKeyAndSessionWindow)", generated, StringComparison.Ordinal);
        Assert.Contains("grouped by key in the loop, each merged into its key's sessions", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void Fused_session_window_snapshot() => GeneratorTests.VerifySnapshot(SessionSource);
}
