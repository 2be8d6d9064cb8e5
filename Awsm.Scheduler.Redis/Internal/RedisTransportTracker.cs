using System.Collections.Concurrent;

namespace Awsm.Scheduler.Redis.Internal;

/// <summary>The Redis transports of a container's pools, by pool name, for <c>GetRedisTransport</c>.</summary>
internal sealed class RedisTransportTracker
{
    private readonly ConcurrentDictionary<string, RedisTransport> _transports = new(StringComparer.Ordinal);

    public void Add(string pool, RedisTransport transport) => _transports[pool] = transport;

    public bool TryGet(string pool, out RedisTransport? transport) => _transports.TryGetValue(pool, out transport);
}
