using System.Collections.Concurrent;

namespace Awsm.Scheduler.InProc.DependencyInjection;

/// <summary>
/// The InProc transports that pools in one container created, by pool name, so that tests can reach their controls.
/// Not disposable: each pool owns and disposes its transport.
/// </summary>
internal sealed class InProcTransportTracker
{
    private readonly ConcurrentDictionary<string, InProcTransport> _transports = new(StringComparer.Ordinal);

    public void Add(string poolName, InProcTransport transport) => _transports[poolName] = transport;

    public bool TryGet(string poolName, out InProcTransport? transport) => _transports.TryGetValue(poolName, out transport);
}
