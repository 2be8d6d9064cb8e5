using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Tests.Support;

namespace Awsm.Scheduler.Tests.Pool;

/// <summary>One job per key at a time, in dispatch order; a cap on a job type's jobs at once; both hold their place in the queue.</summary>
public sealed class JobLimitTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DispatchAsync_OneJobPerKey_SameKeyRunsOneAtATimeInDispatchOrder()
    {
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2, OneJobPerKey = true });
        Gate[] a = [Gate.Create(), Gate.Create(), Gate.Create()];
        Gate b = Gate.Create();

        Task<string>[] aJobs = [.. a.Select(g => Keyed(pool, g, "a"))];
        Task<string> bJob = Keyed(pool, b, "b");

        // The first of each key runs at once; the other two of key "a" wait, whatever worker is free.
        await Task.WhenAll(a[0].Started.Task, b.Started.Task).WaitAsync(Hang);
        Assert.Equal(2, pool.ParkedCount);

        a[0].Release.SetResult();
        await aJobs[0].WaitAsync(Hang);
        Assert.Equal(1, pool.ParkedCount);
        await a[1].Started.Task.WaitAsync(Hang);
        Assert.False(a[2].Started.Task.IsCompleted);

        a[1].Release.SetResult();
        await aJobs[1].WaitAsync(Hang);
        await a[2].Started.Task.WaitAsync(Hang);
        Assert.Equal(0, pool.ParkedCount);

        a[2].Release.SetResult();
        b.Release.SetResult();
        await Task.WhenAll([.. aJobs, bJob]).WaitAsync(Hang);
        Assert.Equal(0, pool.PendingCount);
    }

    [Fact]
    public async Task DispatchAsync_KeyWithoutOneJobPerKey_RunsConcurrently()
    {
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2 });
        Gate[] gates = [Gate.Create(), Gate.Create()];

        Task<string>[] jobs = [.. gates.Select(g => Keyed(pool, g, "a"))];

        await Task.WhenAll(gates.Select(g => g.Started.Task)).WaitAsync(Hang);
        Assert.Equal(0, pool.ParkedCount);
        Array.ForEach(gates, g => g.Release.SetResult());
        await Task.WhenAll(jobs).WaitAsync(Hang);
    }

    [Fact]
    public async Task DispatchAsync_TypeCap_RunsAtMostCapAtOnceInDispatchOrder()
    {
        JobRegistry registry = TestRegistry.Create().SetMaxConcurrency(GateJob.Handle, 2);
        await using var pool = new WorkerPool(new InProcTransport(), registry, new WorkerPoolOptions { WorkerCount = 4 });
        Gate[] gates = [.. Enumerable.Range(0, 5).Select(_ => Gate.Create())];

        Task<string>[] jobs = [.. gates.Select(g => pool.DispatchAsync(GateJob.Handle, g.Key).AsTask())];

        await Task.WhenAll(gates[0].Started.Task, gates[1].Started.Task).WaitAsync(Hang);
        Assert.Equal(3, pool.ParkedCount);
        Assert.Equal(4, await pool.DispatchAsync<AddOneJob, int, int>(3).AsTask().WaitAsync(Hang)); // other jobs pass

        gates[1].Release.SetResult();
        await jobs[1].WaitAsync(Hang);
        await gates[2].Started.Task.WaitAsync(Hang);
        Assert.Equal(2, pool.ParkedCount);
        Assert.False(gates[3].Started.Task.IsCompleted);

        foreach (Gate gate in gates)
        {
            gate.Release.TrySetResult();
        }

        await Task.WhenAll(jobs).WaitAsync(Hang);
        Assert.Equal(0, pool.ParkedCount);
        Assert.Equal(0, pool.PendingCount);
    }

    [Fact]
    public async Task DispatchAsync_ParkedJobCanceled_EndsAndTheNextOfItsKeyRunsInItsTurn()
    {
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2, OneJobPerKey = true });
        Gate first = Gate.Create();
        Gate canceled = Gate.Create();
        Gate last = Gate.Create();
        using var cts = new CancellationTokenSource();
        Task<string> firstJob = Keyed(pool, first, "k");
        await first.Started.Task.WaitAsync(Hang);
        Task<string> canceledJob = Keyed(pool, canceled, "k", cts.Token);
        Task<string> lastJob = Keyed(pool, last, "k");

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceledJob.WaitAsync(Hang));
        Assert.Equal(1, pool.ParkedCount);
        Assert.False(last.Started.Task.IsCompleted);
        first.Release.SetResult();
        await last.Started.Task.WaitAsync(Hang);
        last.Release.SetResult();
        await Task.WhenAll(firstJob, lastJob).WaitAsync(Hang);
        Assert.False(canceled.Started.Task.IsCompleted);
        Assert.Equal(0, pool.PendingCount);
    }

    [Fact]
    public async Task DispatchAsync_ParkedJobs_HoldTheirPlaceInTheQueue()
    {
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions
        {
            WorkerCount = 2,
            OneJobPerKey = true,
            QueueCapacity = 1,
            QueueFullMode = QueueFullMode.Reject,
        });
        Gate running = Gate.Create();
        Gate parked = Gate.Create();
        Task<string> runningJob = Keyed(pool, running, "k");
        await running.Started.Task.WaitAsync(Hang);
        Task<string> parkedJob = Keyed(pool, parked, "k");

        Assert.Equal(1, pool.GetStats().QueueDepth);
        await Assert.ThrowsAsync<QueueFullException>(() => Keyed(pool, Gate.Create(), "other").WaitAsync(Hang));

        running.Release.SetResult();
        await parked.Started.Task.WaitAsync(Hang);
        parked.Release.SetResult();
        await Task.WhenAll(runningJob, parkedJob).WaitAsync(Hang);
        Assert.Equal(0, pool.GetStats().QueueDepth);
    }

    [Fact]
    public async Task StopAsync_AbortWithParkedJobs_FailsThemAndLeavesNothingPending()
    {
        var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 1, OneJobPerKey = true });
        Gate running = Gate.Create();
        Task<string> runningJob = Keyed(pool, running, "k");
        await running.Started.Task.WaitAsync(Hang);
        Task<string>[] parked = [.. Enumerable.Range(0, 3).Select(_ => Keyed(pool, Gate.Create(), "k"))];

        await pool.StopAsync(PoolShutdownMode.Abort).WaitAsync(Hang);

        foreach (Task<string> job in (Task<string>[])[runningJob, .. parked])
        {
            await Assert.ThrowsAsync<SchedulerDisposedException>(() => job.WaitAsync(Hang));
        }

        Assert.Equal(0, pool.PendingCount);
        Assert.Equal(0, pool.ParkedCount);
    }

    [Fact]
    public async Task StopAsync_DrainWithParkedJobs_RunsThemInOrder()
    {
        var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2, OneJobPerKey = true });
        Gate[] gates = [.. Enumerable.Range(0, 3).Select(_ => Gate.Create(ignoreCancellation: true))];
        Task<string>[] jobs = [.. gates.Select(g => Keyed(pool, g, "k"))];
        await gates[0].Started.Task.WaitAsync(Hang);

        Task stop = pool.StopAsync(PoolShutdownMode.Drain);
        for (int i = 0; i < gates.Length; i++)
        {
            await gates[i].Started.Task.WaitAsync(Hang);
            Assert.All(gates[(i + 1)..], g => Assert.False(g.Started.Task.IsCompleted));
            gates[i].Release.SetResult();
        }

        await stop.WaitAsync(Hang);
        Assert.All(jobs, j => Assert.True(j.IsCompletedSuccessfully));
    }

    [Fact]
    public void SetMaxConcurrency_BelowOneOrUnregistered_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TestRegistry.Create().SetMaxConcurrency(GateJob.Handle, 0));
        Assert.Throws<InvalidOperationException>(() => new JobRegistry().SetMaxConcurrency(GateJob.Handle, 1));
    }

    private static Task<string> Keyed(WorkerPool pool, Gate gate, string key, CancellationToken cancellationToken = default) =>
        pool.DispatchAsync(GateJob.Handle, gate.Key, new DispatchOptions { Key = key }, cancellationToken).AsTask();
}
