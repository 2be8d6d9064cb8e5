using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Bulk;

/// <summary><see cref="IWorkerPool.CancelPendingJobs"/>: queued and running jobs end as canceled; the pool serves on.</summary>
public sealed class CancelPendingJobsTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CancelPendingJobs_QueuedAndRunning_EndsBothAsCanceled()
    {
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 1, MaxInFlightPerWorker = 1 }, new FakeTimeProvider());
        Gate running = Gate.Create();
        Gate queued = Gate.Create();
        Task<string> first = pool.DispatchAsync(GateJob.Handle, running.Key).AsTask();
        await running.Started.Task.WaitAsync(Hang);
        Task<string> second = pool.DispatchAsync(GateJob.Handle, queued.Key).AsTask();

        int canceled = pool.CancelPendingJobs();

        Assert.Equal(2, canceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Hang));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(Hang));
        await running.TokenFired.Task.WaitAsync(Hang);
        Assert.False(queued.Started.Task.IsCompleted);
        WorkerPoolStats stats = pool.GetStats();
        Assert.Equal(2, stats.Canceled);
        Assert.Equal(0, stats.Pending);
        Assert.Equal(0, stats.Failed);
    }

    [Fact]
    public async Task CancelPendingJobs_Afterwards_PoolServesNewWork()
    {
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 1, MaxInFlightPerWorker = 1 }, new FakeTimeProvider());
        Gate gate = Gate.Create();
        Task<string> job = pool.DispatchAsync(GateJob.Handle, gate.Key).AsTask();
        await gate.Started.Task.WaitAsync(Hang);
        pool.CancelPendingJobs();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.WaitAsync(Hang));

        Assert.Equal(42, await pool.DispatchAsync(AddOneJob.Handle, 41).AsTask().WaitAsync(Hang));
        Assert.Equal(0, pool.CancelPendingJobs());
    }

    [Fact]
    public async Task CancelPendingJobs_CallerOwnToken_IsNotTheOneReported()
    {
        await using var pool = new WorkerPool(new InProcTransport(), TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 1 }, new FakeTimeProvider());
        Gate gate = Gate.Create();
        using var cts = new CancellationTokenSource();
        Task<string> job = pool.DispatchAsync(GateJob.Handle, gate.Key, cts.Token).AsTask();
        await gate.Started.Task.WaitAsync(Hang);

        pool.CancelPendingJobs();

        OperationCanceledException error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.WaitAsync(Hang));
        Assert.NotEqual(cts.Token, error.CancellationToken);
        Assert.Contains(nameof(IWorkerPool.CancelPendingJobs), error.Message, StringComparison.Ordinal);
    }
}
