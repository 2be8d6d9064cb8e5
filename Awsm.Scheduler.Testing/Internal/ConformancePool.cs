using Awsm.Scheduler.Testing.Internal.Jobs;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Testing.Internal;

/// <summary>A pool over the driver's transport wrapped in a <see cref="FaultInjectingTransport"/>, with dispatch helpers for the conformance jobs.</summary>
internal sealed class ConformancePool
{
    private readonly ConformanceContext _context;

    public ConformancePool(ConformanceContext context, WorkerPool pool, FaultInjectingTransport faults, IWorkerTransport inner, TimeProvider time)
    {
        _context = context;
        Pool = pool;
        Faults = faults;
        Inner = inner;
        Time = time;
    }

    public WorkerPool Pool { get; }

    public FaultInjectingTransport Faults { get; }

    public IWorkerTransport Inner { get; }

    public TimeProvider Time { get; }

    /// <summary>Gets the fake clock; only scenarios that require <see cref="TransportCapabilities.FakeTime"/> ask for it.</summary>
    public FakeTimeProvider FakeTime => Time as FakeTimeProvider
        ?? throw new InvalidOperationException("This pool runs on a real clock; the scenario must require TransportCapabilities.FakeTime.");

    public Task StartAsync() => Pool.StartAsync().WaitAsync(_context.Guard);

    public Task<string> Gate(ConformanceGate gate, CancellationToken cancellationToken = default) =>
        Guarded(Pool.DispatchAsync<GateJob, GateInput, string>(new GateInput(gate.Key, gate.IgnoreCancellation), cancellationToken));

    public Task<string> Gate(ConformanceGate gate, DispatchOptions options) =>
        Guarded(Pool.DispatchAsync<GateJob, GateInput, string>(new GateInput(gate.Key, gate.IgnoreCancellation), options));

    public Task<int> AddOne(int input, CancellationToken cancellationToken = default) =>
        Guarded(Pool.DispatchAsync<AddOneJob, int, int>(input, cancellationToken));

    public Task<int> WhoAmI() => Guarded(Pool.DispatchAsync<WhoAmIJob, int, int>(0));

    public Task<int> WhoAmI(DispatchOptions options) => Guarded(Pool.DispatchAsync<WhoAmIJob, int, int>(0, options));

    public Task<string> Echo(string input) => Guarded(Pool.DispatchAsync<EchoJob, string, string>(input));

    public Task<T> Guarded<T>(ValueTask<T> dispatch) => dispatch.AsTask().WaitAsync(_context.Guard);

    /// <summary>Counts the inner transport's live workers (drivers with <see cref="TransportCapabilities.CountsLiveWorkers"/> only).</summary>
    public int LiveWorkers() => _context.Driver.CountLiveWorkers(Inner);
}
