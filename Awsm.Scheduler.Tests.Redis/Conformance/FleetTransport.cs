using System.Threading.Channels;
using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Redis.Conformance;

/// <summary>
/// A <see cref="RedisTransport"/> on a fleet of its own (a fresh key prefix), that starts the fleet's worker hosts when the
/// pool initializes it: only then is the pool's name (the hosts' <c>ServePool</c> name) and its worker count known. Every
/// other member is the Redis transport's own; disposing it also stops the hosts.
/// </summary>
public sealed class FleetTransport : IWorkerTransport
{
    private readonly Fleet _fleet;
    private readonly GateBoard _gates;
    private int _workerCount;
    private int _disposed;

    public FleetTransport(Fleet fleet, GateBoard gates)
    {
        _fleet = fleet;
        _gates = gates;
        Inner = new RedisTransport(new RedisTransportOptions { Configuration = fleet.Server.Configuration, KeyPrefix = fleet.Prefix, LeaseTime = fleet.Lease });
    }

    public RedisTransport Inner { get; }

    public bool RequiresEncodedPayloads => Inner.RequiresEncodedPayloads;

    public ChannelReader<WorkerEvent> Events => Inner.Events;

    /// <summary>Gets how many of the pool's slots the dispatcher holds as served by a host (claimed and not yet terminated).</summary>
    public int ServedSlots => Enumerable.Range(0, Volatile.Read(ref _workerCount)).Count(i => Inner.GetWorkerHost(i) is not null);

    public async ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);

        // One single-slot host per worker, each on its own connection, registering the conformance jobs with the same
        // board as the dispatching side (the hosts share this process, so GateBoard.InProcess reaches them).
        for (int i = 0; i < context.WorkerCount; i++)
        {
            await _fleet.StartHostAsync($"conformance-host-{i}", slots: 1, jobs: r => ConformanceJobs.Register(r, _gates), pool: context.PoolName)
                .WaitAsync(Fleet.HangGuard, cancellationToken);
        }

        Volatile.Write(ref _workerCount, context.WorkerCount);
        await Inner.InitializeAsync(context, cancellationToken);
    }

    public ValueTask StartWorkerAsync(int workerIndex, int incarnation, CancellationToken cancellationToken) => Inner.StartWorkerAsync(workerIndex, incarnation, cancellationToken);

    public void Send(int workerIndex, in WorkerMessage message) => Inner.Send(workerIndex, in message);

    public ValueTask TerminateWorkerAsync(int workerIndex) => Inner.TerminateWorkerAsync(workerIndex);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Inner.DisposeAsync();
        await _fleet.DisposeAsync();
    }
}
