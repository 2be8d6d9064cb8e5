using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Redis.Conformance;

/// <summary>
/// A <see cref="RedisTransport"/> on a fleet of its own (a fresh key prefix), that starts the fleet's worker hosts when the
/// pool initializes it: only then is the pool's name (the hosts' <c>ServePool</c> name) and its worker count known. Every
/// other member is the Redis transport's own; disposing it also stops the hosts.
/// </summary>
public sealed class FleetTransport : DelegatingWorkerTransport
{
    private readonly Fleet _fleet;
    private readonly GateBoard _gates;
    private int _workerCount;
    private int _disposed;

    public FleetTransport(Fleet fleet, GateBoard gates)
        : base(new RedisTransport(new RedisTransportOptions { Configuration = fleet.Server.Configuration, KeyPrefix = fleet.Prefix, LeaseTime = fleet.Lease }))
    {
        _fleet = fleet;
        _gates = gates;
    }

    /// <summary>Gets the Redis transport the fleet's hosts serve.</summary>
    public RedisTransport Redis => (RedisTransport)Inner;

    /// <summary>Gets how many of the pool's slots the dispatcher holds as served by a host (claimed and not yet terminated).</summary>
    public int ServedSlots => Enumerable.Range(0, Volatile.Read(ref _workerCount)).Count(i => Redis.GetWorkerHost(i) is not null);

    public override async ValueTask InitializeAsync(WorkerTransportContext context, CancellationToken cancellationToken)
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
        await base.InitializeAsync(context, cancellationToken);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Inner.DisposeAsync();
        await _fleet.DisposeAsync();
    }
}
