using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Redis.Conformance;

/// <summary>
/// Drives the conformance suite over <see cref="Awsm.Scheduler.Redis.RedisTransport"/> on the fixture's redis-server:
/// every pool gets a fresh key prefix and, when it initializes its transport, one single-slot worker host per worker, in
/// this process on its own connection (<see cref="FleetTransport"/>). The hosts register the conformance jobs with
/// <see cref="GateBoard.InProcess"/>, the board the scenarios use, since they share the test process.
/// </summary>
/// <remarks>
/// Capabilities: payloads cross Redis as bytes (<see cref="TransportCapabilities.EncodesPayloads"/>); a pool has as many
/// slots as hosts serve (<see cref="TransportCapabilities.ManyWorkers"/>); a slot counts as alive while the dispatcher holds
/// it as served by a host, from the host's <c>ready</c> until its terminate (<see cref="TransportCapabilities.CountsLiveWorkers"/>);
/// a host outlives the slots taken from it and fires the tokens of the jobs it was running when a slot is withdrawn
/// (<see cref="TransportCapabilities.JobsOutliveTermination"/>). <see cref="TransportCapabilities.FakeTime"/>: the pool's
/// clock is a <c>FakeTimeProvider</c> while the transport's leases, heartbeat and polling stay on the real clock
/// (<see cref="Awsm.Scheduler.Redis.RedisTransportOptions.TimeProvider"/>), since they are TTLs on the server's clock; the
/// fake-clock scenarios advance the pool's clock only after a real signal that what they time has begun (a start under
/// way, a job running, an envelope held), never while a network round trip may still be arming a timer.
/// The driver is made per test; disposing it stops whatever hosts its pools left running.
/// </remarks>
public sealed class RedisTransportDriver(RedisServer server) : TransportDriver, IAsyncDisposable
{
    /// <summary>The lease of every pool and host: short enough to poll often, long enough for a loaded 2-core machine.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private readonly List<FleetTransport> _transports = [];

    public override string Name => "Redis (in-process worker hosts)";

    public override TransportCapabilities Capabilities =>
        TransportCapabilities.EncodesPayloads | TransportCapabilities.FakeTime | TransportCapabilities.ManyWorkers
        | TransportCapabilities.CountsLiveWorkers | TransportCapabilities.JobsOutliveTermination;

    public override IWorkerTransport CreateTransport()
    {
        var transport = new FleetTransport(new Fleet(server, Lease), Gates);
        lock (_transports)
        {
            _transports.Add(transport);
        }

        return transport;
    }

    public override int CountLiveWorkers(IWorkerTransport transport) =>
        transport is FleetTransport fleet ? fleet.ServedSlots : throw new ArgumentException("The transport was not made by this driver.", nameof(transport));

    public async ValueTask DisposeAsync()
    {
        FleetTransport[] transports;
        lock (_transports)
        {
            transports = [.. _transports];
            _transports.Clear();
        }

        foreach (FleetTransport transport in transports)
        {
            await transport.DisposeAsync();
        }
    }
}
