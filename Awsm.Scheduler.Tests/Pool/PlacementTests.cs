using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Pool;

/// <summary>Per-call options: priority lanes and their share, per-call and per-job-type timeouts, keys that reach the strategy.</summary>
public sealed class PlacementTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DispatchAsync_HighPriorityBehindNormalBacklog_LeavesFirst()
    {
        await using WorkerPool pool = OneAtATime();
        (Gate first, Task<string> running) = await RunningGateAsync(pool);
        Gate[] normal = [Gate.Create(), Gate.Create(), Gate.Create()];
        List<Task<string>> jobs = [.. normal.Select(g => Dispatch(pool, g, JobPriority.Normal))];
        Gate high = Gate.Create();
        jobs.Add(Dispatch(pool, high, JobPriority.High));

        first.Release.SetResult();
        await running.WaitAsync(Hang);

        Assert.Equal([high, .. normal], await StartOrderAsync([high, .. normal]));
        await Task.WhenAll(jobs).WaitAsync(Hang);
    }

    [Fact]
    public async Task DispatchAsync_HighBacklog_NormalJobLeavesAfterItsShare()
    {
        await using WorkerPool pool = OneAtATime();
        (Gate first, Task<string> running) = await RunningGateAsync(pool);
        Gate normal = Gate.Create();
        Gate[] high = [.. Enumerable.Range(0, 8).Select(_ => Gate.Create())];
        List<Task<string>> jobs = [Dispatch(pool, normal, JobPriority.Normal), .. high.Select(g => Dispatch(pool, g, JobPriority.High))];

        first.Release.SetResult();
        await running.WaitAsync(Hang);

        // Four departures from the high lane, then the normal job's share, then the rest of the high lane.
        Gate[] expected = [.. high[..WorkerPoolDefaults.PriorityShare], normal, .. high[WorkerPoolDefaults.PriorityShare..]];
        Assert.Equal(expected, await StartOrderAsync([normal, .. high]));
        await Task.WhenAll(jobs).WaitAsync(Hang);
    }

    [Fact]
    public async Task DispatchAsync_LowBehindBothLanes_LeavesAfterItsShareOfEither()
    {
        await using WorkerPool pool = OneAtATime();
        (Gate first, Task<string> running) = await RunningGateAsync(pool);
        Gate low = Gate.Create();
        Gate[] normal = [Gate.Create(), Gate.Create()];
        Gate[] high = [Gate.Create(), Gate.Create(), Gate.Create()];
        List<Task<string>> jobs =
        [
            Dispatch(pool, low, JobPriority.Low),
            .. normal.Select(g => Dispatch(pool, g, JobPriority.Normal)),
            .. high.Select(g => Dispatch(pool, g, JobPriority.High)),
        ];

        first.Release.SetResult();
        await running.WaitAsync(Hang);

        // Departures from both higher lanes count against the low lane's wait: three high and one normal, then low.
        Assert.Equal([.. high, normal[0], low, normal[1]], await StartOrderAsync([low, .. normal, .. high]));
        await Task.WhenAll(jobs).WaitAsync(Hang);
    }

    [Fact]
    public async Task DispatchAsync_PerCallTimeout_OverridesThePoolsTimeout()
    {
        var time = new FakeTimeProvider();
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 1, JobTimeout = TimeSpan.FromSeconds(10) }, time);
        Gate gate = Gate.Create();
        Task<string> job = pool.DispatchAsync(GateJob.Handle, gate.Key, new DispatchOptions { Timeout = TimeSpan.FromSeconds(1) }).AsTask();
        await gate.Started.Task.WaitAsync(Hang);

        time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<JobTimeoutException>(() => job.WaitAsync(Hang));
        Assert.Equal(TimeSpan.FromSeconds(1), error.Timeout);
        await gate.TokenFired.Task.WaitAsync(Hang);
    }

    [Fact]
    public async Task DispatchAsync_InfiniteTimeout_RunsPastThePoolsTimeout()
    {
        var time = new FakeTimeProvider();
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 1, JobTimeout = TimeSpan.FromSeconds(1) }, time);
        Gate gate = Gate.Create();
        Task<string> job = pool.DispatchAsync(GateJob.Handle, gate.Key, new DispatchOptions { Timeout = Timeout.InfiniteTimeSpan }).AsTask();
        await gate.Started.Task.WaitAsync(Hang);

        time.Advance(TimeSpan.FromHours(1));
        gate.Release.SetResult();

        Assert.EndsWith("@0", await job.WaitAsync(Hang));
        Assert.Equal(0, pool.GetStats().TimedOut);
    }

    [Fact]
    public async Task DispatchAsync_JobTypeTimeout_AppliesUnlessTheCallSetsItsOwn()
    {
        var time = new FakeTimeProvider();
        JobRegistry registry = TestRegistry.Create().SetTimeout(GateJob.Handle, TimeSpan.FromSeconds(2));
        await using var pool = new WorkerPool(new InProcTransport(), registry, new WorkerPoolOptions { WorkerCount = 2, JobTimeout = TimeSpan.FromSeconds(10) }, time);
        Gate byType = Gate.Create();
        Gate byCall = Gate.Create();
        Task<string> typed = pool.DispatchAsync(GateJob.Handle, byType.Key).AsTask();
        Task<string> called = pool.DispatchAsync(GateJob.Handle, byCall.Key, new DispatchOptions { Timeout = TimeSpan.FromSeconds(5) }).AsTask();
        await Task.WhenAll(byType.Started.Task, byCall.Started.Task).WaitAsync(Hang);

        time.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<JobTimeoutException>(() => typed.WaitAsync(Hang));
        Assert.Equal(TimeSpan.FromSeconds(2), error.Timeout);
        Assert.False(called.IsCompleted);
        byCall.Release.SetResult();
        Assert.StartsWith(byCall.Key, await called.WaitAsync(Hang));
    }

    [Fact]
    public void SetTimeout_UnregisteredJob_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new JobRegistry().SetTimeout(GateJob.Handle, TimeSpan.FromSeconds(1)));

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void DispatchOptions_NonPositiveTimeout_Throws(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchOptions { Timeout = TimeSpan.FromSeconds(seconds) });

    [Fact]
    public async Task DispatchAsync_KeyAndPriority_ReachTheStrategy()
    {
        var strategy = new RecordingStrategy();
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2, Strategy = strategy });

        await pool.DispatchAsync<AddOneJob, int, int>(1, new DispatchOptions { Key = "tenant-7", Priority = JobPriority.High }).AsTask().WaitAsync(Hang);

        Assert.Equal(new JobPlacement(AddOneJob.Name, "tenant-7", JobPriority.High), Assert.Single(strategy.Seen));
    }

    [Fact]
    public async Task DispatchAsync_ConsistentHashing_SendsAKeyToOneWorker()
    {
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 4, Strategy = WorkerSelectionStrategies.ConsistentHashing() });
        var placed = new Dictionary<string, HashSet<int>>();
        for (int round = 0; round < 5; round++)
        {
            for (int k = 0; k < 16; k++)
            {
                string key = $"key-{k}";
                int worker = await pool.DispatchAsync<WhoAmIJob, int, int>(0, new DispatchOptions { Key = key }).AsTask().WaitAsync(Hang);
                (placed.TryGetValue(key, out HashSet<int>? set) ? set : placed[key] = []).Add(worker);
            }
        }

        Assert.All(placed.Values, workers => Assert.Single(workers));
        Assert.True(placed.Values.Select(w => w.Single()).Distinct().Count() > 1, "16 keys over 4 workers all landed on one worker.");
    }

    private static WorkerPool OneAtATime() =>
        new(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 1, MaxInFlightPerWorker = 1 });

    private static Task<string> Dispatch(WorkerPool pool, Gate gate, JobPriority priority) =>
        pool.DispatchAsync(GateJob.Handle, gate.Key, new DispatchOptions { Priority = priority }).AsTask();

    /// <summary>Occupies the pool's only place with a gate job and waits until it runs: later dispatches queue.</summary>
    private static async Task<(Gate Gate, Task<string> Job)> RunningGateAsync(WorkerPool pool)
    {
        Gate gate = Gate.Create();
        Task<string> job = pool.DispatchAsync(GateJob.Handle, gate.Key).AsTask();
        await gate.Started.Task.WaitAsync(Hang);
        return (gate, job);
    }

    /// <summary>
    /// Releases queued gate jobs one at a time in the order they start. With one place in the pool, the next job is
    /// sent only after the previous one ended, so the order is the queue's.
    /// </summary>
    private static async Task<Gate[]> StartOrderAsync(Gate[] queued)
    {
        var order = new List<Gate>();
        var left = new List<Gate>(queued);
        while (left.Count > 0)
        {
            Task<int> started = await Task.WhenAny(left.Select(g => g.Started.Task)).WaitAsync(Hang);
            Gate next = left.Single(g => g.Started.Task == started);
            Assert.Single(left, g => g.Started.Task.IsCompleted);
            order.Add(next);
            left.Remove(next);
            next.Release.SetResult();
        }

        return [.. order];
    }

    private sealed class RecordingStrategy : IWorkerSelectionStrategy
    {
        public List<JobPlacement> Seen { get; } = [];

        public int Select(in JobPlacement job, ReadOnlySpan<WorkerLoad> candidates)
        {
            Seen.Add(job);
            return 0;
        }
    }
}
