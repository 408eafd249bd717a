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
    public void Event_time_operators_are_handed_to_the_runtime_and_the_stages_around_them_are_compiled()
    {
        var (result, diagnostics) = GeneratorHarness.Run(Source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var generated = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("Compiled chain: Filter → WithEventTime (runtime) → Map (runtime) → MapValues (runtime) → ReduceByKeyAndEventWindow (runtime).", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("Runs interpreted", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("return DefinePerPage(", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("return DefineCounts(", generated, StringComparison.Ordinal);
        Assert.Contains("var withEventTime = fused.WithEventTime(line => DateTimeOffset.UnixEpoch.AddSeconds(line.Length), TimeSpan.FromSeconds(5));", generated, StringComparison.Ordinal);
        Assert.Contains("var eventTimeMap = withEventTime.Map(line => (line.Substring(0, 1), 1));", generated, StringComparison.Ordinal);
        Assert.Contains("var eventTimeMapValues = eventTimeMap.MapValues(v => v * 2);", generated, StringComparison.Ordinal);
        Assert.Contains("return eventTimeMapValues.ReduceByKeyAndEventWindow((a, b) => a + b, TimeSpan.FromSeconds(10));", generated, StringComparison.Ordinal);
        Assert.Contains("var eventTimeFilter = withEventTime.Filter(line => line.Length > 0);", generated, StringComparison.Ordinal);
        Assert.Contains("CompiledStream.CreatePartitioned(countByEventWindow", generated, StringComparison.Ordinal); // the Map after the window runs partition by partition
    }
}
