using Microsoft.Extensions.Logging;

namespace Pipelines.TestKit;

// Source shared by the child-process apps of the Kafka and scale-out tests (linked into each).

/// <summary>
/// Writes warnings and errors, and the information of categories starting with a given prefix (the package under
/// test), to stderr; the test prints them when a run fails.
/// </summary>
internal sealed class StderrLoggerFactory(string informationPrefix) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new StderrLogger(categoryName, informationPrefix);

    public void Dispose()
    {
    }

    private sealed class StderrLogger(string category, string informationPrefix) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && (logLevel >= LogLevel.Warning || category.StartsWith(informationPrefix, StringComparison.Ordinal));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
            }
        }
    }
}
