using System.Runtime.CompilerServices;
using System.Runtime.Versioning;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Transport;
using Awsm.Scheduler.WebWorker;

namespace Awsm.Scheduler.Samples.Browser.Conformance;

/// <summary>
/// Drives the conformance suite over <see cref="WebWorkerTransport"/> on this page: real module Web Workers running this
/// app's <c>Main</c>, which registers the conformance jobs with the same <see cref="BroadcastGateBoard"/>. Each transport
/// creates its workers through its own counting WorkerFactory, so live workers are counted per transport.
/// </summary>
/// <remarks>
/// Capabilities: payloads cross into another runtime as bytes (<see cref="TransportCapabilities.EncodesPayloads"/>);
/// the pool and the transport's timers run on the page, so a <c>FakeTimeProvider</c> drives them
/// (<see cref="TransportCapabilities.FakeTime"/>); a pool may have several workers; the counting factory sees every
/// <c>new Worker</c> and every <c>terminate()</c> (<see cref="TransportCapabilities.CountsLiveWorkers"/>). Not
/// <see cref="TransportCapabilities.JobsOutliveTermination"/>: a terminated Web Worker runs nothing more, so a job on it
/// has no token left to fire; the abort scenario proves instead that no worker is left. A driver is
/// made per scenario run; <see cref="ForgetCounters"/> drops its factories afterwards.
/// </remarks>
[SupportedOSPlatform("browser")]
internal sealed class WebWorkerTransportDriver : TransportDriver
{
    private readonly GateBoard _gates;
    private readonly ConditionalWeakTable<IWorkerTransport, StrongBox<int>> _counters = [];
    private readonly List<int> _counterIds = [];

    public WebWorkerTransportDriver(GateBoard gates)
    {
        _gates = gates;
    }

    public override string Name => "WebWorker (headless browser)";

    public override TransportCapabilities Capabilities =>
        TransportCapabilities.EncodesPayloads | TransportCapabilities.FakeTime | TransportCapabilities.ManyWorkers | TransportCapabilities.CountsLiveWorkers;

    public override GateBoard Gates => _gates;

    public override IWorkerTransport CreateTransport()
    {
        int counter = ConformanceJs.NewWorkerCounter();
        var transport = new WebWorkerTransport(new WebWorkerTransportOptions { WorkerFactory = $"awsmConformanceWorkers.f{counter}" });
        _counters.Add(transport, new StrongBox<int>(counter));
        lock (_counterIds)
        {
            _counterIds.Add(counter);
        }

        return transport;
    }

    public override int CountLiveWorkers(IWorkerTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (!_counters.TryGetValue(transport, out StrongBox<int>? counter))
        {
            throw new ArgumentException("The transport was not made by this driver.", nameof(transport));
        }

        return ConformanceJs.LiveWorkers(counter.Value);
    }

    /// <summary>Counts the Web Workers still alive across every transport this driver made.</summary>
    /// <returns>The number still alive.</returns>
    public int CountAllLiveWorkers()
    {
        lock (_counterIds)
        {
            return _counterIds.Sum(id => Math.Max(0, ConformanceJs.LiveWorkers(id)));
        }
    }

    /// <summary>Drops the counting factories this driver registered on the page.</summary>
    public void ForgetCounters()
    {
        lock (_counterIds)
        {
            foreach (int id in _counterIds)
            {
                ConformanceJs.ForgetWorkerCounter(id);
            }

            _counterIds.Clear();
        }
    }
}
