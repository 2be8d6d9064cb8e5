using System.Collections.Concurrent;

namespace Awsm.Scheduler.Testing.Internal;

/// <summary>The fault-injecting transports that pools in one container created, by pool name. Each pool owns and disposes its own.</summary>
internal sealed class FaultInjectingTransportTracker
{
    private readonly ConcurrentDictionary<string, FaultInjectingTransport> _transports = new(StringComparer.Ordinal);

    public void Add(string poolName, FaultInjectingTransport transport) => _transports[poolName] = transport;

    public bool TryGet(string poolName, out FaultInjectingTransport? transport) => _transports.TryGetValue(poolName, out transport);
}
