using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Reliability;

/// <summary>
/// A started pool over an InProc transport whose jobs can reach the transport (to crash their own worker), with a
/// fake clock, a log probe and a private meter factory. Disposing aborts the pool.
/// </summary>
public sealed class ReliabilityHarness : IAsyncDisposable
{
    /// <summary>The bound on every await in these tests: generous, and a failure rather than a hang.</summary>
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _meters;

    private ReliabilityHarness(WorkerPool pool, FaultInjectingTransport transport, FakeTimeProvider time, LogProbe logs, ServiceProvider meters, JobRegistry registry)
    {
        Pool = pool;
        Transport = transport;
        Time = time;
        Logs = logs;
        _meters = meters;
        Registry = registry;
    }

    public WorkerPool Pool { get; }

    /// <summary>Gets the fault controls around the pool's InProc transport.</summary>
    public FaultInjectingTransport Transport { get; }

    public FakeTimeProvider Time { get; }

    public LogProbe Logs { get; }

    public JobRegistry Registry { get; }

    public IMeterFactory Meters => _meters.GetRequiredService<IMeterFactory>();

    public static async Task<ReliabilityHarness> StartAsync(InProcPayloadMode mode, Action<WorkerPoolOptions>? configure = null)
    {
        var options = new WorkerPoolOptions { WorkerCount = 2, Name = $"reliability-{Guid.NewGuid():N}" };
        configure?.Invoke(options);
        var time = new FakeTimeProvider();
        var transport = new FaultInjectingTransport(new InProcTransport(new InProcTransportOptions { Mode = mode }));
        var logs = new LogProbe();
        ServiceProvider meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        JobRegistry registry = ReliabilityJobs.Registry();
        var pool = new WorkerPool(transport, registry, options, time, new ProbeLoggerFactory(logs), meters.GetRequiredService<IMeterFactory>(), new TransportServices(transport));
        await pool.StartAsync().WaitAsync(Safety);
        return new ReliabilityHarness(pool, transport, time, logs, meters, registry);
    }

    public Task<string> Poison(string input, CancellationToken cancellationToken = default) =>
        Pool.DispatchAsync<PoisonJob, string, string>(input, cancellationToken).AsTask().WaitAsync(Safety, cancellationToken);

    public Task<string> Echo(string input) =>
        Pool.DispatchAsync<EchoJob, string, string>(input).AsTask().WaitAsync(Safety);

    /// <summary>The strikes the pool holds against an input of <see cref="PoisonJob"/>.</summary>
    public int StrikesOf<TJob>(string input)
        where TJob : IWorkerJob<string, string> =>
        Pool.PoisonJobs?.StrikesOf(TJob.Name, Registry.Get<TJob, string, string>().EncodeInput(input, Transport.RequiresEncodedPayloads)) ?? 0;

    public async ValueTask DisposeAsync()
    {
        await Pool.StopAsync(PoolShutdownMode.Abort).WaitAsync(Safety);
        await _meters.DisposeAsync();
    }

    /// <summary>Offers the fault controls to jobs, so that a job can crash its own worker.</summary>
    public sealed class TransportServices(FaultInjectingTransport transport) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(FaultInjectingTransport) ? transport : null;
    }

    private sealed class ProbeLoggerFactory(LogProbe probe) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public ILogger CreateLogger(string categoryName) => probe;

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// Records the pool's log events by id, with their structured values, and lets a test await the n-th event of an id
/// (raised on the router's thread) instead of sleeping.
/// </summary>
public sealed class LogProbe : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<(int EventId, IReadOnlyDictionary<string, object?> Values)> _events = [];
    private readonly List<(int EventId, int Count, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Events(int eventId)
    {
        lock (_gate)
        {
            return [.. _events.Where(e => e.EventId == eventId).Select(e => e.Values)];
        }
    }

    public int Count(int eventId)
    {
        lock (_gate)
        {
            return _events.Count(e => e.EventId == eventId);
        }
    }

    /// <summary>Completes when <paramref name="count"/> events of the id were logged; fails after <see cref="ReliabilityHarness.Safety"/>.</summary>
    public Task WaitFor(int eventId, int count = 1)
    {
        lock (_gate)
        {
            if (_events.Count(e => e.EventId == eventId) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((eventId, count, done));
            return done.Task.WaitAsync(ReliabilityHarness.Safety);
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = new Dictionary<string, object?>();
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (KeyValuePair<string, object?> pair in pairs)
            {
                values[pair.Key] = pair.Value;
            }
        }

        lock (_gate)
        {
            _events.Add((eventId.Id, values));
            int count = _events.Count(e => e.EventId == eventId.Id);
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
}

/// <summary>Crashes its own worker while its input is marked as poison (see <see cref="Mark"/>); otherwise echoes the input.</summary>
public sealed class PoisonJob : IWorkerJob<string, string>
{
    private static readonly ConcurrentDictionary<string, bool> Poisoned = new();

    public static string Name => "poison";

    /// <summary>Makes an input crash its worker (or stop doing so).</summary>
    public static void Mark(string input, bool poisoned) => Poisoned[input] = poisoned;

    public static async ValueTask<string> ExecuteAsync(string input, JobContext context)
    {
        if (Poisoned.GetValueOrDefault(input))
        {
            ((FaultInjectingTransport)context.Services.GetService(typeof(FaultInjectingTransport))!).Crash(context.WorkerIndex, $"poison input {input}");
            await Task.Delay(Timeout.Infinite, context.CancellationToken).ConfigureAwait(false);
        }

        return input;
    }
}

/// <summary>Echoes its input: the same input as a <see cref="PoisonJob"/>, under another job name.</summary>
public sealed class EchoJob : IWorkerJob<string, string>
{
    public static string Name => "echo";

    public static ValueTask<string> ExecuteAsync(string input, JobContext context) => ValueTask.FromResult(input);
}

public static class ReliabilityJobs
{
    public static JobRegistry Registry() => TestRegistry.Create()
        .Add<PoisonJob, string, string>(TestJsonContext.Default)
        .Add<EchoJob, string, string>(TestJsonContext.Default)
        .Add<SoakJob, SoakInput, int>(SoakJsonContext.Default);
}
