using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Pool;

/// <summary>A pool nobody started starts on its first dispatch; one that cannot start fails its jobs with the reason.</summary>
public sealed class WorkerPoolStartTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DispatchAsync_PoolNeverStarted_StartsThePoolAndReturnsTheResult()
    {
        var transport = new ScriptedTransport(encodes: false) { AnswerJobs = AddOne };
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2 }, new FakeTimeProvider());

        int result = await pool.DispatchAsync<AddOneJob, int, int>(41).AsTask().WaitAsync(Hang);

        Assert.Equal(42, result);
        Assert.Equal(1, transport.StartsOf(0));
        await pool.StartAsync().WaitAsync(Hang); // the same start, already done
        Assert.Equal(1, transport.StartsOf(0));
    }

    [Fact]
    public async Task DispatchAsync_PoolCannotStart_FailsWithTheStartErrorInsteadOfWaiting()
    {
        var transport = new ScriptedTransport(encodes: false) { AnswerJobs = AddOne };
        transport.OnStart = (worker, _, _) =>
        {
            // Worker 0 never reports ready: otherwise the first job could run on it before worker 1's error arrives.
            if (worker == 1)
            {
                transport.Publish(WorkerEvent.InitError(1, "dotnet.js returned 404"));
            }

            return ValueTask.CompletedTask;
        };
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2 }, new FakeTimeProvider());

        var first = await Assert.ThrowsAsync<WorkerStartException>(() => pool.DispatchAsync<AddOneJob, int, int>(1).AsTask().WaitAsync(Hang));
        var later = await Assert.ThrowsAsync<WorkerStartException>(() => pool.DispatchAsync<AddOneJob, int, int>(2).AsTask().WaitAsync(Hang));
        var start = await Assert.ThrowsAsync<WorkerStartException>(() => pool.StartAsync().WaitAsync(Hang));

        Assert.All([first, later, start], e => Assert.Contains("404", e.Message));
        Assert.Equal(1, first.WorkerIndex);
        Assert.Equal(0, pool.GetStats().Pending);
    }

    [Fact]
    public async Task DispatchAsync_WhileWorkersStart_JobsSpreadAsWorkersBecomeReady()
    {
        var transport = new ScriptedTransport(encodes: false) { OnStart = (_, _, _) => ValueTask.CompletedTask };
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 4, MaxInFlightPerWorker = 64 }, new FakeTimeProvider());
        Task started = pool.StartAsync();
        var jobs = Enumerable.Range(0, 8).Select(i => pool.DispatchAsync<AddOneJob, int, int>(i).AsTask()).ToArray();

        // While others still start, a ready worker takes one job at a time: the rest wait for the next ready worker.
        // Out of index order on purpose (as a browser reports them), so a cursor-based spread would show.
        int[] readyOrder = [2, 0, 3];
        for (int i = 0; i < readyOrder.Length; i++)
        {
            transport.Publish(WorkerEvent.Ready(readyOrder[i]));
            await transport.WhenJobsSent(i + 1);
            Assert.All(readyOrder[..(i + 1)], worker => Assert.Equal(1, transport.SentTo(worker)));
        }

        // The last one ready: the backlog (five jobs) goes to the least-loaded workers first, so the last worker to
        // become ready is not left with one job while another holds three.
        transport.Publish(WorkerEvent.Ready(1));
        await transport.WhenJobsSent(8);
        await started.WaitAsync(Hang);

        Assert.Equal([2, 2, 2, 2], Enumerable.Range(0, 4).Select(transport.SentTo));
        foreach ((int worker, WorkerMessage message) in transport.Sent)
        {
            transport.Publish(AddOne(worker, message)!.Value);
        }

        Assert.Equal(Enumerable.Range(1, 8), await Task.WhenAll(jobs).WaitAsync(Hang));
    }

    [Fact]
    public async Task DispatchAsync_AfterTheStartBacklogDrained_StrategyPlacesByItsOwnRule()
    {
        var transport = new ScriptedTransport(encodes: false) { OnStart = (_, _, _) => ValueTask.CompletedTask };
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2, MaxInFlightPerWorker = 64 }, new FakeTimeProvider());
        Task started = pool.StartAsync();
        Task<int> during = pool.DispatchAsync<AddOneJob, int, int>(0).AsTask();
        transport.Publish(WorkerEvent.Ready(1));
        await transport.WhenJobsSent(1);
        transport.Publish(WorkerEvent.Ready(0));
        await started.WaitAsync(Hang);

        // Nothing waits any more: round-robin takes turns whatever the load (worker 1 still holds the first job).
        var after = Enumerable.Range(1, 4).Select(i => pool.DispatchAsync<AddOneJob, int, int>(i).AsTask()).ToArray();
        await transport.WhenJobsSent(5);

        Assert.Equal(3, transport.SentTo(1));
        Assert.Equal(2, transport.SentTo(0));
        foreach ((int worker, WorkerMessage message) in transport.Sent)
        {
            transport.Publish(AddOne(worker, message)!.Value);
        }

        Assert.Equal(Enumerable.Range(1, 5), await Task.WhenAll([during, .. after]).WaitAsync(Hang));
    }

    internal static WorkerEvent? AddOne(int worker, WorkerMessage message) =>
        WorkerEvent.Result(worker, message.JobId, JobPayload.FromValue((int)message.Payload.Value! + 1));
}
