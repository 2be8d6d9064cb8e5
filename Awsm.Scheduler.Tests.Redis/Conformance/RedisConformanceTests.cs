using Awsm.Scheduler.Testing;

namespace Awsm.Scheduler.Tests.Redis.Conformance;

/// <summary>
/// The shared conformance suite over the Redis transport, on the collection's redis-server, with worker hosts in this
/// process on their own connections, the pool on a fake clock (capabilities: see <see cref="RedisTransportDriver"/>).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisConformanceTests(RedisServer server) : TransportConformanceTests, IAsyncLifetime
{
    private RedisTransportDriver? _driver;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Stops the hosts of the scenario that just ran, whatever its outcome.</summary>
    public async Task DisposeAsync()
    {
        if (_driver is not null)
        {
            await _driver.DisposeAsync();
        }
    }

    protected override TransportDriver CreateDriver() => _driver ??= new RedisTransportDriver(server);
}
