using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Support;

/// <summary>
/// A started pool over an InProc transport wrapped in a <see cref="FaultInjectingTransport"/>, with its controls at hand.
/// Disposing aborts the pool.
/// </summary>
public sealed class PoolHarness : IAsyncDisposable
{
    private PoolHarness(WorkerPool pool, FaultInjectingTransport transport, InProcTransport inner, TimeProvider time)
    {
        Pool = pool;
        Transport = transport;
        Inner = inner;
        Time = time;
    }

    public WorkerPool Pool { get; }

    /// <summary>Gets the fault controls around <see cref="Inner"/>.</summary>
    public FaultInjectingTransport Transport { get; }

    public InProcTransport Inner { get; }

    public TimeProvider Time { get; }

    public FakeTimeProvider FakeTime => (FakeTimeProvider)Time;

    public static async Task<PoolHarness> StartAsync(InProcPayloadMode mode, Action<WorkerPoolOptions>? configure = null, TimeProvider? time = null, Action<FaultInjectingTransport>? beforeStart = null, InProcThreading threading = InProcThreading.DedicatedThreads)
    {
        var options = new WorkerPoolOptions { WorkerCount = 2 };
        configure?.Invoke(options);
        time ??= new FakeTimeProvider();
        var inner = new InProcTransport(new InProcTransportOptions { Mode = mode, Threading = threading });
        var transport = new FaultInjectingTransport(inner);
        beforeStart?.Invoke(transport);
        var pool = new WorkerPool(transport, TestRegistry.Create(), options, time);
        await pool.StartAsync();
        return new PoolHarness(pool, transport, inner, time);
    }

    public ValueTask<string> Gate(Gate gate, CancellationToken cancellationToken = default) =>
        Pool.DispatchAsync<GateJob, string, string>(gate.Key, cancellationToken);

    public ValueTask<int> WhoAmI(CancellationToken cancellationToken = default) =>
        Pool.DispatchAsync<WhoAmIJob, int, int>(0, cancellationToken);

    public async ValueTask DisposeAsync() => await Pool.StopAsync(PoolShutdownMode.Abort);
}
