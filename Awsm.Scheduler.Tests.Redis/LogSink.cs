using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>Collects log events and lets a test await one (a real signal, never a sleep).</summary>
public sealed class LogSink(string source = "") : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _events = new();
    private readonly ConcurrentDictionary<TaskCompletionSource, Func<int, string, bool>> _waiters = new();

    public IReadOnlyCollection<LogEntry> Events => _events;

    /// <summary>Every event with its time, as a line naming its source, level and category, for a failed test's output.</summary>
    public IEnumerable<(DateTime At, string Line)> Timeline => _events.Select(e => (e.At, $"{source} {e}"));

    public Task WaitForAsync(int eventId, Func<string, bool>? match = null)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<int, string, bool> predicate = (id, message) => id == eventId && (match?.Invoke(message) ?? true);
        _waiters[tcs] = predicate;
        if (_events.Any(e => predicate(e.EventId, e.Message)))
        {
            tcs.TrySetResult();
        }

        return tcs.Task.WaitAsync(Fleet.HangGuard);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Add(LogLevel level, string category, int eventId, string message, Exception? exception)
    {
        _events.Enqueue(new LogEntry(DateTime.UtcNow, level, category, eventId, message, exception));
        foreach ((TaskCompletionSource tcs, Func<int, string, bool> predicate) in _waiters)
        {
            if (predicate(eventId, message))
            {
                tcs.TrySetResult();
                _waiters.TryRemove(tcs, out _);
            }
        }
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Add(logLevel, category, eventId.Id, formatter(state, exception), exception);
    }
}

/// <summary>One log event as a <see cref="LogSink"/> keeps it.</summary>
public sealed record LogEntry(DateTime At, LogLevel Level, string Category, int EventId, string Message, Exception? Exception)
{
    public override string ToString() =>
        $"{Level} {Category}[{EventId}] {Message}{(Exception is null ? "" : $" {Exception.GetType().Name}: {Exception.Message}")}";
}
