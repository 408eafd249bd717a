using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipelines.Testing;

namespace Pipelines.Hosting.Tests;

/// <summary>Issue 17: <c>AddStreamingContext</c> under the Generic Host, in process, on a manual clock.</summary>
public sealed class StreamingHostTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Settings_come_from_configuration_logs_go_to_the_host_and_the_host_owns_the_signals()
    {
        var logs = new CapturingLoggerProvider();
        var clock = new ManualClock();
        var builder = NewBuilder(new Dictionary<string, string?>
        {
            ["Streaming:BatchInterval"] = "00:00:02",
            ["Streaming:ApplicationId"] = "configured-app",
            ["Streaming:MaxQueuedBatches"] = "4",
        });
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(9));
        var seen = new TaskCompletionSource<int[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Services.AddStreamingContext((ssc, _) => ssc.QueueStream<int>([[1, 2, 3]]).ForEachBatch((batch, _) => seen.TrySetResult(batch.ToArray())));
        using var host = builder.Build();
        var service = host.Services.GetRequiredService<StreamingContextHost>();
        Assert.Null(service.Context);

        await host.StartAsync();
        clock.Advance(TimeSpan.FromSeconds(2));
        var values = await seen.Task.WaitAsync(Guard);
        Assert.Equal([1, 2, 3], values);
        var context = service.Context!;

        Assert.Equal(TimeSpan.FromSeconds(2), context.BatchInterval);
        Assert.Equal("configured-app", context.ApplicationId);
        Assert.Equal(4, context.Options.MaxQueuedBatches);
        Assert.False(context.Options.StopOnShutdownSignal);
        Assert.True(context.Options.StopGracefullyOnShutdown);
        Assert.Equal(TimeSpan.FromSeconds(3), context.Options.StopTimeout); // a third of the host's shutdown timeout
        Assert.Same(clock, context.TimeProvider);
        Assert.Contains(logs.Entries, e => e.Category == "Pipelines.StreamingContext" && e.Message.StartsWith("StreamingContext started", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Category == typeof(StreamingContextHost).FullName && e.Message.StartsWith("Streaming started fresh", StringComparison.Ordinal));

        await host.StopAsync().WaitAsync(Guard);
        Assert.Equal(StreamingContextState.Stopped, context.State);
        Assert.Contains(logs.Entries, e => e.Message == "Streaming stopped");
    }

    [Fact]
    public async Task The_health_check_reports_keeping_up_then_falling_behind_then_keeping_up_again_and_stopped_at_the_end()
    {
        var clock = new ManualClock();
        var builder = NewBuilder(new Dictionary<string, string?> { ["Streaming:BatchInterval"] = "00:00:01" });
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddHealthChecks().AddStreamingContextCheck();
        var reports = new List<(long Time, HealthStatus Status, string? Description)>();
        var caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HealthCheckService? health = null;
        var batches = 0;
        builder.Services.AddStreamingContext((ssc, services) => ssc.QueueStream<int>([]).ForEachBatch(async (_, time, _) =>
        {
            var report = await health!.CheckHealthAsync();
            var entry = report.Entries["streaming"];
            reports.Add((time.Milliseconds, entry.Status, entry.Description));

            // The first six batches each take two batch intervals: the scheduling delay grows by one interval a batch.
            if (++batches <= 6)
            {
                clock.Advance(TimeSpan.FromSeconds(2));
            }

            if (batches > 6 && entry.Status == HealthStatus.Healthy)
            {
                caughtUp.TrySetResult();
            }
        }));
        using var host = builder.Build();
        health = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal("not started", (await health.CheckHealthAsync()).Entries["streaming"].Description);

        await host.StartAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        await caughtUp.Task.WaitAsync(Guard);
        await host.StopAsync().WaitAsync(Guard);
        var end = (await health.CheckHealthAsync()).Entries["streaming"];

        Assert.Equal((HealthStatus.Healthy, "keeping up"), (reports[0].Status, reports[0].Description));
        var behind = reports.First(r => r.Status == HealthStatus.Degraded);
        Assert.StartsWith("falling behind", behind.Description, StringComparison.Ordinal);
        Assert.True(reports.IndexOf(behind) < reports.FindLastIndex(r => r.Status == HealthStatus.Healthy));
        Assert.Equal((HealthStatus.Unhealthy, "stopped"), (end.Status, end.Description));
    }

    [Fact]
    public async Task A_failing_context_stops_the_host_and_the_health_check_reports_the_failure()
    {
        var builder = NewBuilder(new Dictionary<string, string?> { ["Streaming:BatchInterval"] = "00:00:01" });
        builder.Services.AddSingleton<TimeProvider>(new ManualClock());
        builder.Services.AddHealthChecks().AddStreamingContextCheck();
        var channel = System.Threading.Channels.Channel.CreateUnbounded<int>();
        builder.Services.AddStreamingContext((ssc, _) => ssc.ChannelStream(channel.Reader).ForEachBatch((_, _) => { }));
        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        try
        {
            await host.StartAsync();
            channel.Writer.Complete(new InvalidDataException("the feed is corrupt"));

            await stopping.Task.WaitAsync(Guard);
            var entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["streaming"];
            Assert.Equal(HealthStatus.Unhealthy, entry.Status);
            Assert.StartsWith("failed:", entry.Description, StringComparison.Ordinal);
            Assert.Equal(1, Environment.ExitCode);
            await host.StopAsync().WaitAsync(Guard);
        }
        finally
        {
            Environment.ExitCode = 0;
        }
    }

    [Fact]
    public void A_second_streaming_context_in_one_host_is_refused()
    {
        var services = new ServiceCollection();
        services.AddStreamingContext((_, _) => { });

        var error = Assert.Throws<InvalidOperationException>(() => services.AddStreamingContext((_, _) => { }));

        Assert.Contains("already registered", error.Message, StringComparison.Ordinal);
    }

    private static HostApplicationBuilder NewBuilder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();

        public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider._entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
