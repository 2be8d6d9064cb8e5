using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Samples.WorkerHost;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>
/// The dispatcher's heartbeat, lease checks and polling run on <see cref="RedisTransportOptions.TimeProvider"/> (the real
/// clock by default), not on the pool's: the heartbeat is a TTL on the server's real clock, so a pool on a fake clock
/// must not stop its renewals (its hosts would give its slots up after three leases, with no lease check to notice).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisTransportClockTests(RedisServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = Fleet.HangGuard;

    [Fact]
    public async Task InitializeAsync_PoolOnAFakeClock_HeartbeatIsStillRenewedOnTheRealClock()
    {
        // The steady lease: a pool on a fake clock never respawns a lost slot (its backoff timer never fires), so a lease
        // lost to a loaded machine's stall would leave the second dispatch nowhere to run. This test is about renewals.
        await using var fleet = new Fleet(server, Fleet.SteadyLease, output);
        await fleet.StartHostAsync("h1");
        WorkerPool pool = fleet.CreatePool(out RedisTransport transport, time: new FakeTimeProvider());
        await pool.StartAsync().WaitAsync(Guard);
        Assert.EndsWith("/0", await pool.DispatchAsync<WhereJob, int, string>(0).AsTask().WaitAsync(Guard));

        // Every renewal sets the heartbeat's TTL again: observe that through keyspace notifications (a real signal),
        // after the first reply, whose wake-up may renew it once whatever the clock.
        string heartbeat = $"{fleet.Prefix}:{{fleet}}:d:{transport.DispatcherId}";
        var renewed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IServer admin = fleet.Admin.GetServer(fleet.Admin.GetEndPoints()[0]);
        await admin.ConfigSetAsync("notify-keyspace-events", "Kg");
        try
        {
            ISubscriber subscriber = fleet.Admin.GetSubscriber();
            await subscriber.SubscribeAsync(RedisChannel.Literal("__keyspace@0__:" + heartbeat), (_, e) =>
            {
                if (e == "expire")
                {
                    renewed.TrySetResult();
                }
            });

            await renewed.Task.WaitAsync(Guard);
        }
        finally
        {
            await admin.ConfigSetAsync("notify-keyspace-events", "");
        }

        Assert.True(await fleet.Db.KeyExistsAsync(heartbeat));
        Assert.EndsWith("/0", await pool.DispatchAsync<WhereJob, int, string>(1).AsTask().WaitAsync(Guard));
    }
}
