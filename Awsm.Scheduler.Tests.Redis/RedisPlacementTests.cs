using Awsm.Scheduler.Redis;
using Xunit.Abstractions;

namespace Awsm.Scheduler.Tests.Redis;

/// <summary>
/// Start-up placement over Redis: jobs accepted while the pool's slots are still being claimed by worker hosts spread
/// over the slots as they become ready, instead of piling onto the first ready one (the rule is in Core's
/// <c>WorkerPicker</c>: while a worker starts, a ready worker takes one job at a time; the backlog then goes to the
/// least-loaded workers until the queue is empty).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisPlacementTests(RedisServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = Fleet.HangGuard;

    [Fact]
    public async Task DispatchAsync_EightJobsWhileFourSlotsStart_EachSlotGetsTwo()
    {
        // The default (steady) lease: a renewal late on a loaded machine must not restart a slot in the middle of the count.
        await using var fleet = new Fleet(server, output: output);

        // No host serves the pool yet, so its 4 slots cannot become ready: the start waits for hosts to claim them.
        // The in-flight limit (64 by default) would let the first ready slot take all 8; the placement rule must not.
        WorkerPool pool = fleet.CreatePool(out RedisTransport transport, workers: 4, o => o.StartTimeout = Guard);
        Gate[] gates = [.. Enumerable.Range(0, 8).Select(_ => Gate.Create())];
        Task<string>[] jobs = [.. gates.Select(g => pool.DispatchAsync<GateJob, string, string>(g.Key).AsTask())];
        Assert.All(pool.GetStats().Workers, w => Assert.NotEqual(WorkerState.Ready, w.State));
        Assert.DoesNotContain(gates, g => g.Started.Task.IsCompleted);

        // Each single-slot host makes one more slot ready; the gate jobs hold their slots, so exactly one more job
        // starts per host while other slots still start.
        for (int host = 0; host < 4; host++)
        {
            await fleet.StartHostAsync($"host-{host}", slots: 1);
            if (host < 3)
            {
                while (Started() < host + 1)
                {
                    await Task.WhenAny(gates.Where(g => !g.Started.Task.IsCompleted).Select(g => g.Started.Task)).WaitAsync(Guard);
                }

                // Without the rule the first ready slot takes all 8 (the count is then 8, not 1).
                Assert.Equal(host + 1, Started());
            }
        }

        // With every slot ready the backlog of 4 goes to the least-loaded slots: one more each.
        int[] workerOfJob = await Task.WhenAll(gates.Select(g => g.Started.Task)).WaitAsync(Guard);
        Assert.Equal([0, 1, 2, 3], [.. workerOfJob.Order().Distinct()]);
        Assert.All(workerOfJob.CountBy(w => w), slot => Assert.Equal(2, slot.Value));
        Assert.Equal(4, Enumerable.Range(0, 4).Select(transport.GetWorkerHost).Distinct().Count(h => h is not null));

        foreach (Gate gate in gates)
        {
            gate.Release.TrySetResult();
        }

        string[] results = await Task.WhenAll(jobs).WaitAsync(Guard);
        Assert.Equal([.. gates.Select((g, i) => $"{g.Key}@{workerOfJob[i]}")], results);
        Assert.Equal(0, pool.GetStats().Failed);

        int Started() => gates.Count(g => g.Started.Task.IsCompleted);
    }
}
