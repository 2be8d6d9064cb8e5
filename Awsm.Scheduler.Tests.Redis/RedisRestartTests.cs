using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Samples.WorkerHost;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>A redis-server restart (every key lost: no persistence) in the middle of a storm. Its own server.</summary>
[Collection(RedisRestartCollection.Name)]
public sealed class RedisRestartTests(RedisServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task ServerRestart_MidStorm_EveryDispatchEndsAndRetriesComplete()
    {
        await using var fleet = new Fleet(server, Fleet.ShortLease, output);
        await fleet.StartHostAsync("host-a", slots: 2);
        await fleet.StartHostAsync("host-b", slots: 2);
        (WorkerPool pool, RedisTransport transport) = await fleet.StartPoolAsync(workers: 3, o => o.MaxInFlightPerWorker = 2);

        int completed = 0;
        var quarter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string>[] storm = [.. Enumerable.Range(0, 200).Select(async i =>
        {
            string result = await Retry.TransientAsync(() => pool.DispatchAsync<SpinJob, int, string>(30 + i), () => { });
            if (Interlocked.Increment(ref completed) == 50)
            {
                quarter.TrySetResult();
            }

            return result;
        })];

        await quarter.Task.WaitAsync(Fleet.HangGuard);
        server.Restart();
        string[] results = await Task.WhenAll(storm).WaitAsync(Fleet.HangGuard);

        Assert.Equal(200, results.Length);
        Assert.All(results, r => Assert.Matches("^host-[ab]/[0-2]$", r));
        Assert.StartsWith("host-", await pool.DispatchAsync<WhereJob, int, string>(0).AsTask().WaitAsync(Fleet.HangGuard), StringComparison.Ordinal);
        Assert.NotNull(transport.GetWorkerHost(0));
    }

    [Fact]
    public async Task ClientPauseAll_PastTheLease_DispatcherFailsItsSlotsAsCrashed_AndRecovers()
    {
        await using var fleet = new Fleet(server, Fleet.ShortLease, output);
        await fleet.StartHostAsync("host-a", slots: 2);
        (WorkerPool pool, RedisTransport transport) = await fleet.StartPoolAsync(workers: 1);
        Gate gate = Gate.Create();
        Task<string> running = pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask();
        await gate.Started.Task.WaitAsync(Fleet.HangGuard);

        // Every client is frozen for 3 s (the lease is 1 s, the client's timeouts 2 s): the dispatcher is cut off for
        // longer than its lease and must fail the slot's job as a crash rather than wait.
        await fleet.Admin.GetServer(fleet.Admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "PAUSE", "3000", "ALL");

        WorkerCrashedException crash = await Assert.ThrowsAsync<WorkerCrashedException>(() => running.WaitAsync(Fleet.HangGuard));
        Assert.True(crash.IsTransient);
        gate.Release.TrySetResult();

        string after = await Retry.TransientAsync(() => pool.DispatchAsync<WhereJob, int, string>(0), () => { }).WaitAsync(Fleet.HangGuard);
        Assert.StartsWith("host-a/", after, StringComparison.Ordinal);
        Assert.Equal("host-a", transport.GetWorkerHost(0));
    }
}
