using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipelines.Hosting;

/// <summary>Registers a <see cref="StreamingContext"/> as a hosted service of the .NET Generic Host.</summary>
public static class StreamingServiceCollectionExtensions
{
    /// <summary>
    /// Runs a <see cref="StreamingContext"/> as a hosted service (<see cref="StreamingContextHost"/>): it starts with the
    /// host and stops with it, gracefully, on SIGTERM or Ctrl+C, within the host's shutdown timeout (the batches already
    /// cut finish and a final checkpoint is written). Settings (<see cref="StreamingHostOptions"/>) are bound from the
    /// configuration section <paramref name="configurationSection"/>; logs go to the host's <c>ILoggerFactory</c>; every
    /// <see cref="IStreamingListener"/> service becomes a listener; a <see cref="TimeProvider"/> service, if any,
    /// becomes the context's clock.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="define">Defines the context's inputs, transformations and outputs (it may resolve services).</param>
    /// <param name="configurationSection">The configuration section bound to <see cref="StreamingHostOptions"/> (default <c>Streaming</c>).</param>
    /// <returns>The options builder, to configure the settings further in code.</returns>
    /// <example>
    /// <code>
    /// var builder = Host.CreateApplicationBuilder(args);
    /// builder.Services.AddStreamingContext((ssc, services) =>
    ///     ssc.SocketTextStream("127.0.0.1", 9999)
    ///        .FlatMap(line => line.Split(' '))
    ///        .CountByValue()
    ///        .Print());
    /// builder.Services.AddHealthChecks().AddStreamingContextCheck();
    /// await builder.Build().RunAsync();
    /// </code>
    /// </example>
    /// <exception cref="InvalidOperationException">A streaming context is already registered.</exception>
    public static Microsoft.Extensions.Options.OptionsBuilder<StreamingHostOptions> AddStreamingContext(
        this IServiceCollection services,
        Action<StreamingContext, IServiceProvider> define,
        string configurationSection = StreamingHostOptions.DefaultSectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(define);
        ArgumentException.ThrowIfNullOrEmpty(configurationSection);
        if (services.Any(service => service.ServiceType == typeof(StreamingContextDefinition)))
        {
            throw new InvalidOperationException("A StreamingContext is already registered in these services; a host runs one. Define every stream in one AddStreamingContext call.");
        }

        services.AddSingleton(new StreamingContextDefinition(define));
        services.AddSingleton(provider => new StreamingContextHost(
            provider,
            provider.GetRequiredService<StreamingContextDefinition>(),
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<StreamingHostOptions>>(),
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.Extensions.Hosting.HostOptions>>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>(),
            provider.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>()));
        services.AddHostedService(provider => provider.GetRequiredService<StreamingContextHost>());
        return services.AddOptions<StreamingHostOptions>().BindConfiguration(configurationSection);
    }

    /// <summary>
    /// Adds a health check of the hosted streaming context (<see cref="StreamingHealthCheck"/>): healthy while it keeps
    /// up, degraded while it falls behind, unhealthy before it started, after it stopped or when it failed.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name (default <c>streaming</c>).</param>
    /// <param name="tags">Tags to filter checks by, e.g. <c>ready</c>.</param>
    public static IHealthChecksBuilder AddStreamingContextCheck(this IHealthChecksBuilder builder, string name = "streaming", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.AddCheck<StreamingHealthCheck>(name, failureStatus: null, tags: tags ?? []);
    }
}
