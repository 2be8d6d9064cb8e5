using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Samples.Browser.Page;

/// <summary>Keeps log entries in memory (the e2e tests read them) and writes warnings and worse to the console.</summary>
public sealed class MemoryLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Category, string Message)> _entries = new();

    /// <summary>Gets the entries so far.</summary>
    public IReadOnlyCollection<(LogLevel Level, int EventId, string Category, string Message)> Entries => _entries;

    /// <summary>Forgets the entries so far.</summary>
    public void Clear() => _entries.Clear();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new MemoryLogger(this, categoryName);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class MemoryLogger(MemoryLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string message = formatter(state, exception);
            owner._entries.Enqueue((logLevel, eventId.Id, category, message));
            if (logLevel >= LogLevel.Warning)
            {
                Console.WriteLine($"[{logLevel}] {category}[{eventId.Id}]: {message}");
            }
        }
    }
}
