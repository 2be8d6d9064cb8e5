using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Testing.Internal;

/// <summary>
/// One run of one scenario: makes pools over the driver's transport (each wrapped in a fault decorator, on a fake clock
/// when the driver allows it), hands out gates, and at the end releases every gate, aborts every pool and checks what
/// every scenario must leave behind: nothing pending, and no live worker when the driver can count them.
/// </summary>
internal sealed class ConformanceContext : IAsyncDisposable
{
    private readonly List<ConformancePool> _pools = [];
    private readonly List<ConformanceGate> _gates = [];

    public ConformanceContext(TransportDriver driver)
    {
        Driver = driver;
    }

    public TransportDriver Driver { get; }

    public TimeSpan Guard => Driver.HangGuard;

    public bool Has(TransportCapabilities capability) => (Driver.Capabilities & capability) == capability;

    public ConformanceGate NewGate(bool ignoreCancellation = false)
    {
        var gate = new ConformanceGate(Driver.Gates, Guard, ignoreCancellation);
        lock (_gates)
        {
            _gates.Add(gate);
        }

        return gate;
    }

    /// <summary>Creates a pool (two workers, or one if the transport cannot run more, unless configured otherwise) without starting it.</summary>
    /// <param name="configure">Sets options.</param>
    /// <param name="realClock">Runs on <see cref="TimeProvider.System"/> even where a fake clock is allowed.</param>
    /// <param name="beforeStart">Sets fault controls before the first start.</param>
    public ConformancePool CreatePool(Action<WorkerPoolOptions>? configure = null, bool realClock = false, Action<FaultInjectingTransport>? beforeStart = null)
    {
        var options = new WorkerPoolOptions { WorkerCount = Has(TransportCapabilities.ManyWorkers) ? 2 : 1, Name = $"conformance-{Guid.NewGuid():N}" };
        configure?.Invoke(options);
        TimeProvider time = !realClock && Has(TransportCapabilities.FakeTime) ? new FakeTimeProvider() : TimeProvider.System;
        IWorkerTransport inner = Driver.CreateTransport();
        var faults = new FaultInjectingTransport(inner);
        beforeStart?.Invoke(faults);
        var pool = new ConformancePool(this, new WorkerPool(faults, Driver.CreateRegistry(), options, time), faults, inner, time);
        lock (_pools)
        {
            _pools.Add(pool);
        }

        return pool;
    }

    public async Task<ConformancePool> StartPoolAsync(Action<WorkerPoolOptions>? configure = null, bool realClock = false, Action<FaultInjectingTransport>? beforeStart = null)
    {
        ConformancePool pool = CreatePool(configure, realClock, beforeStart);
        await pool.StartAsync().ConfigureAwait(false);
        return pool;
    }

    /// <summary>Releases every gate, aborts every pool, and checks that nothing was left behind.</summary>
    public async ValueTask DisposeAsync()
    {
        ConformanceGate[] gates;
        lock (_gates)
        {
            gates = [.. _gates];
        }

        foreach (ConformanceGate gate in gates)
        {
            gate.Release();
        }

        ConformancePool[] pools;
        lock (_pools)
        {
            pools = [.. _pools];
        }

        foreach (ConformancePool pool in pools)
        {
            await pool.Pool.StopAsync(PoolShutdownMode.Abort).WaitAsync(Guard).ConfigureAwait(false);
            Check.Equal(0, pool.Pool.GetStats().Pending);
            if (Has(TransportCapabilities.CountsLiveWorkers))
            {
                Check.Equal(0, pool.LiveWorkers());
            }
        }
    }
}
