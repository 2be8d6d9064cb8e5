using Awsm.Scheduler.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Pool;

/// <summary>How a stop treats the jobs it finds: an abort sends nothing more to any worker.</summary>
public sealed class WorkerPoolStopTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StopAsync_AbortWithJobsQueuedBehindABusyWorker_SendsNoQueuedJob()
    {
        var transport = new ScriptedTransport(encodes: false);
        var options = new WorkerPoolOptions { WorkerCount = 1, MaxInFlightPerWorker = 1, QueueCapacity = 4096 };
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), options, new FakeTimeProvider());
        await pool.StartAsync().WaitAsync(Hang);
        Task<int> running = pool.DispatchAsync<AddOneJob, int, int>(0).AsTask();
        await transport.WhenJobsSent(1);
        Task<int>[] queued = [.. Enumerable.Range(1, 2000).Select(i => pool.DispatchAsync<AddOneJob, int, int>(i).AsTask())];

        // The abort fails the running job first, which frees the worker's only place while the queued ones are still
        // pending: the dispatcher must not hand one of them to the worker in the moment before the abort reaches it.
        await pool.StopAsync(PoolShutdownMode.Abort).WaitAsync(Hang);

        Assert.Equal(1, transport.SentTo(0));
        await Assert.ThrowsAsync<SchedulerDisposedException>(() => running);
        foreach (Task<int> job in queued)
        {
            // Awaited: a task made from the pool's ValueTask completes on the thread pool just after the job ended.
            await Assert.ThrowsAsync<SchedulerDisposedException>(() => job.WaitAsync(Hang));
        }

        Assert.Equal(0, pool.GetStats().Pending);
    }
}
