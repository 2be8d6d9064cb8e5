using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Tests.Hosting;

/// <summary>
/// A logger provider that lets a test await a log event raised on another thread (the pool's router loop). Register it
/// after the fake logger: loggers are called in registration order, so when a wait completes the
/// <see cref="Microsoft.Extensions.Logging.Testing.FakeLogCollector"/> already holds the record to assert on.
/// </summary>
internal sealed class LogSignal : ILoggerProvider, ILogger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, int> _counts = [];
    private readonly List<(int EventId, int Count, TaskCompletionSource Done)> _waiters = [];

    public Task WaitFor(int eventId, int count = 1)
    {
        lock (_gate)
        {
            if (_counts.GetValueOrDefault(eventId) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((eventId, count, done));
            return done.Task.WaitAsync(HostingTestHost.Safety);
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            int count = _counts[eventId.Id] = _counts.GetValueOrDefault(eventId.Id) + 1;
            _waiters.RemoveAll(w =>
            {
                if (w.EventId != eventId.Id || count < w.Count)
                {
                    return false;
                }

                w.Done.TrySetResult();
                return true;
            });
        }
    }

    public void Dispose()
    {
    }
}
