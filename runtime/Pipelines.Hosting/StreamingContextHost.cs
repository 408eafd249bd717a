using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipelines.Hosting;

/// <summary>
/// The hosted service that runs the application's <see cref="StreamingContext"/> (registered by
/// <see cref="StreamingServiceCollectionExtensions.AddStreamingContext(IServiceCollection, Action{StreamingContext, IServiceProvider}, string)"/>):
/// it creates and starts the context when the host starts and stops it when the host stops. Resolve it to reach the
/// running context.
/// </summary>
/// <remarks>
/// The host owns SIGTERM and Ctrl+C (its console lifetime turns them into a stop), so the context is created with
/// <see cref="StreamingOptions.StopOnShutdownSignal"/> off. When the context fails (a receiver gives up, or a batch
/// fails in a checkpointing context), the error is logged, the process exit code is set to 1 and the host is stopped.
/// </remarks>
public sealed class StreamingContextHost : IHostedService, IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly Action<StreamingContext, IServiceProvider> _define;
    private readonly StreamingHostOptions _options;
    private readonly HostOptions _hostOptions;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private Task? _watch;

    internal StreamingContextHost(
        IServiceProvider services,
        StreamingContextDefinition definition,
        IOptions<StreamingHostOptions> options,
        IOptions<HostOptions> hostOptions,
        ILoggerFactory loggerFactory,
        IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hostOptions);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(lifetime);
        _services = services;
        _define = definition.Define;
        _options = options.Value;
        _hostOptions = hostOptions.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<StreamingContextHost>();
        _lifetime = lifetime;
    }

    /// <summary>The running context: <c>null</c> until the host has started it.</summary>
    public StreamingContext? Context { get; private set; }

    /// <summary>The error the context failed with, or <c>null</c>.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Creates the context (recovering from its checkpoint when <see cref="StreamingHostOptions.CheckpointDirectory"/> holds one), defines it and starts it.</summary>
    /// <param name="cancellationToken">The host's start token.</param>
    /// <exception cref="InvalidOperationException">The service was started before.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Context is not null)
        {
            throw new InvalidOperationException("The StreamingContextHost has already been started; a StreamingContext cannot start twice.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var context = _options.CheckpointDirectory is { Length: > 0 } directory
            ? StreamingContext.GetOrCreate(directory, Create, new CheckpointOptions { ReceiverWriteAheadLog = _options.ReceiverWriteAheadLog })
            : Create();
        context.Start();
        Context = context;
        if (context.RecoveredFrom is { } from)
        {
            _logger.LogInformation("Streaming started, recovered from the checkpoint of {BatchTime} in {Directory}", from, context.CheckpointDirectory);
        }
        else
        {
            _logger.LogInformation("Streaming started fresh (batch interval {BatchInterval})", context.BatchInterval);
        }

        _watch = WatchAsync(context);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the context (gracefully unless <see cref="StreamingHostOptions.StopGracefully"/> is off): the receivers
    /// stop, the batches already cut finish and the final checkpoint is written. Waits at most until
    /// <paramref name="cancellationToken"/> (the host's shutdown timeout) fires.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the host's shutdown timeout expires.</param>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Context is not { } context)
        {
            return;
        }

        _logger.LogInformation("The host is stopping: stopping the StreamingContext (graceful: {Graceful})", _options.StopGracefully);
        try
        {
            await context.StopAsync(_options.StopGracefully, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Streaming stopped");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogError("The StreamingContext did not stop within the host's shutdown timeout {Timeout}; raise HostOptions.ShutdownTimeout or lower Streaming:StopTimeout", _hostOptions.ShutdownTimeout);
        }
    }

    /// <summary>Stops the context at once if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Context is { } context)
        {
            await context.DisposeAsync().ConfigureAwait(false);
        }
    }

    private StreamingContext Create()
    {
        var stopTimeout = _options.StopTimeout ?? _hostOptions.ShutdownTimeout / 3;
        var options = new StreamingOptions
        {
            LoggerFactory = _loggerFactory,
            TimeProvider = _services.GetService<TimeProvider>() ?? TimeProvider.System,
            ApplicationId = _options.ApplicationId,
            StopOnShutdownSignal = false,
            StopGracefullyOnShutdown = _options.StopGracefully,
            StopTimeout = stopTimeout,
            MaxQueuedBatches = _options.MaxQueuedBatches,
            ReceiverRestartDelay = _options.ReceiverRestartDelay,
            Listeners = [.. _services.GetServices<IStreamingListener>()],
        };
        var context = new StreamingContext(_options.BatchInterval, options);
        _define(context, _services);
        return context;
    }

    private async Task WatchAsync(StreamingContext context)
    {
        try
        {
            await context.AwaitTerminationAsync().ConfigureAwait(false);
        }
        catch (Exception error)
        {
            Failure = error;
            _logger.LogCritical(error, "The StreamingContext failed: stopping the host");
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }
}
