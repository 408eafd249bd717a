using Pipelines.Benchmarks.EventTime;

namespace Pipelines.Benchmarks.Tests;

/// <summary>The event-time window benchmark: interpreted and compiled agree on the full data, and each benchmark returns that result.</summary>
public sealed class EventWindowBenchmarkTests
{
    [Fact]
    public void Event_time_windows_compiled_and_interpreted_agree_and_every_benchmark_returns_the_agreed_checksum()
    {
        var benchmarks = new EventWindowBenchmarks();
        benchmarks.Setup();

        Assert.NotEqual(0, benchmarks.Expected);
        Assert.Equal(benchmarks.Expected, benchmarks.Interpreted());
        Assert.Equal(benchmarks.Expected, benchmarks.Compiled());
    }

    [Fact]
    public void The_event_time_benchmark_data_is_out_of_order_with_records_late_for_a_5_second_delay()
    {
        var batches = EventWindowBenchmarks.Events(20, 1_000, 100);

        // Some record is more than 5 s behind the latest event time seen before its batch: late for the watermark.
        var latest = int.MinValue;
        var late = 0;
        foreach (var batch in batches)
        {
            late += batch.Count(e => e.Value < latest - 5);
            latest = Math.Max(latest, batch.Max(e => e.Value));
        }

        Assert.True(late > 0);
    }
}

/// <summary>The session-window benchmark: interpreted and compiled agree on the full data, and each benchmark returns that result.</summary>
public sealed class SessionWindowBenchmarkTests
{
    [Fact]
    public void Event_time_sessions_compiled_and_interpreted_agree_and_every_benchmark_returns_the_agreed_checksum()
    {
        var benchmarks = new SessionWindowBenchmarks();
        benchmarks.Setup();

        Assert.NotEqual(0, benchmarks.Expected);
        Assert.Equal(benchmarks.Expected, benchmarks.Interpreted());
        Assert.Equal(benchmarks.Expected, benchmarks.Compiled());
    }
}
