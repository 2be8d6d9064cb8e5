using System.Globalization;
using Awsm.Scheduler.Redis;
using Awsm.Scheduler.Samples.WorkerHost;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>
/// A seeded soak: thousands of jobs over Redis while hosts are crashed at random and replaced. Every dispatch ends
/// exactly once, with its own result, through the caller's retry. AWSM_REDIS_SOAK_JOBS, AWSM_REDIS_SOAK_KILLS and
/// AWSM_REDIS_SOAK_SEED change its size and schedule (a failure prints the seed).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSoakTests(RedisServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task Soak_RandomHostKills_EveryDispatchEndsOnceWithItsOwnResult()
    {
        int jobs = Setting("AWSM_REDIS_SOAK_JOBS", 3000);
        int kills = Setting("AWSM_REDIS_SOAK_KILLS", 4);
        int seed = Setting("AWSM_REDIS_SOAK_SEED", Environment.TickCount & 0xFFFF);
        var random = new Random(seed);
        await using var fleet = new Fleet(server, Fleet.ShortLease, output);
        var hosts = new List<FleetHost> { await fleet.StartHostAsync("soak-0", slots: 2), await fleet.StartHostAsync("soak-1", slots: 2) };
        (WorkerPool pool, _) = await fleet.StartPoolAsync(workers: 3, o => o.MaxInFlightPerWorker = 8);

        int[] ends = new int[jobs];
        int completed = 0;
        int killAt = jobs / (kills + 1);
        var milestones = Enumerable.Range(1, kills).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        Task[] storm = [.. Enumerable.Range(0, jobs).Select(async i =>
        {
            // Distinct inputs: a crash strikes an input, and identical ones would look like a poison job.
            byte[] input = BitConverter.GetBytes(i);
            byte[] output = await Retry.TransientAsync(() => pool.DispatchAsync<EchoBytesJob, byte[], byte[]>(input), () => { });
            Assert.Equal(i, BitConverter.ToInt32(output));
            Interlocked.Increment(ref ends[i]);
            int done = Interlocked.Increment(ref completed);
            if (done % killAt == 0 && done / killAt - 1 < milestones.Length)
            {
                milestones[done / killAt - 1].TrySetResult();
            }
        })];

        for (int k = 0; k < kills; k++)
        {
            await milestones[k].Task.WaitAsync(Fleet.HangGuard);
            FleetHost victim = hosts[random.Next(hosts.Count)];
            hosts.Remove(victim);
            await victim.CrashAsync();
            hosts.Add(await fleet.StartHostAsync($"soak-{k + 2}", slots: 2));
        }

        Task all = Task.WhenAll(storm);
        await Task.WhenAny(all, Task.Delay(Fleet.HangGuard * 2));
        Assert.True(all.IsCompleted, $"seed {seed}: {completed} of {jobs} dispatches ended within the hang guard");
        await all;
        Assert.All(ends, (n, i) => Assert.True(n == 1, $"seed {seed}: job {i} ended {n} times"));
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
