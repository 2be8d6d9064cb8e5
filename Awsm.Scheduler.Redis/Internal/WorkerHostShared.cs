using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>What every slot of one worker host shares: the connection, the clock, the logger, the options.</summary>
internal sealed class WorkerHostShared
{
    public static readonly TimeSpan BlobTimeToLive = TimeSpan.FromMinutes(15);

    public WorkerHostShared(
        IConnectionMultiplexer connection,
        RedisWorkerHostOptions options,
        TimeProvider time,
        ILogger logger,
        IServiceProvider services,
        Action<HostedSlot> onEnded)
    {
        Database = connection.GetDatabase();
        Subscriber = connection.GetSubscriber();
        Options = options;
        Time = time;
        Logger = logger;
        Services = services;
        OnEnded = onEnded;
        HostName = options.HostName;
        HostId = string.Concat(options.HostName, "/", Guid.NewGuid().ToString("N").AsSpan(0, 8));
    }

    public IDatabase Database { get; }

    public ISubscriber Subscriber { get; }

    public RedisWorkerHostOptions Options { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public IServiceProvider Services { get; }

    public Action<HostedSlot> OnEnded { get; }

    /// <summary>Gets the name shown to dispatchers.</summary>
    public string HostName { get; }

    /// <summary>Gets the unique id in leases (the name plus a random suffix: two processes may share a name).</summary>
    public string HostId { get; }

    /// <summary>Gets how often readers poll when no pub/sub ring came (rings are at-most-once).</summary>
    public TimeSpan PollInterval => Options.LeaseTime / 3;
}
