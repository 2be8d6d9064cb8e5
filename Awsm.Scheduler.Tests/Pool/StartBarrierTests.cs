using Awsm.Scheduler.Internal.Pool;
using Awsm.Scheduler.Tests.Hosting;
using Awsm.Scheduler.Tests.Reliability;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Pool;

/// <summary>
/// The first start's barrier, and the rule it decides for the supervisor: a worker lost while the pool starts fails
/// the start, unless every worker had been ready before; then it is respawned like any lost worker. Regression: a
/// pool whose last pending worker failed its first start could report "started" with that worker resting in
/// <see cref="WorkerState.Respawning"/>, no respawn planned, and every dispatch waiting forever.
/// </summary>
[Collection(ReliabilityStorms.Name)]
public sealed class StartBarrierTests
{
    private const int WorkerRespawning = 5;
    private const int WorkerRespawned = 9;
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);
    private readonly LogSignal _logs = new();

    [Fact]
    public async Task WaitAsync_LastPendingWorkerFails_ThrowsItsFailure()
    {
        var barrier = new StartBarrier(2);
        Task wait = barrier.WaitAsync(CancellationToken.None);
        barrier.Ready(0);

        Assert.True(barrier.Failed(new WorkerStartException(1, "init error")));

        var error = await Assert.ThrowsAsync<WorkerStartException>(() => wait.WaitAsync(Hang));
        Assert.Equal(1, error.WorkerIndex);
    }

    [Fact]
    public async Task WaitAsync_FailureRacesTheWaiterOnAnotherThread_AlwaysThrows()
    {
        for (int i = 0; i < 2_000; i++)
        {
            var barrier = new StartBarrier(1);
            Task wait = barrier.WaitAsync(CancellationToken.None);
            await Task.Run(() => barrier.Failed(new WorkerStartException(0, "init error")));

            await Assert.ThrowsAsync<WorkerStartException>(() => wait.WaitAsync(Hang));
        }
    }

    [Fact]
    public async Task Failed_AfterEveryWorkerWasReady_DoesNotFailTheStart()
    {
        var barrier = new StartBarrier(2);
        barrier.Ready(0);
        barrier.Ready(1);

        Assert.False(barrier.Failed(new WorkerStartException(0, "crashed")));

        await barrier.WaitAsync(CancellationToken.None).WaitAsync(Hang);
    }

    [Fact]
    public async Task Ready_AfterAFailure_TheStartStaysFailed()
    {
        var barrier = new StartBarrier(2);
        Assert.True(barrier.Failed(new WorkerStartException(0, "init error")));
        barrier.Ready(1);
        barrier.Ready(0);

        await Assert.ThrowsAsync<WorkerStartException>(() => barrier.WaitAsync(CancellationToken.None).WaitAsync(Hang));
    }

    [Fact]
    public async Task Abandon_WorkersStillStarting_WaiterGivesUp()
    {
        var barrier = new StartBarrier(3);
        barrier.Ready(0);
        barrier.Abandon();

        await Assert.ThrowsAsync<WorkerStartException>(() => barrier.WaitAsync(CancellationToken.None).WaitAsync(Hang));
    }

    [Fact]
    public async Task StartAsync_WorkerCrashesJustAfterEveryWorkerWasReady_StartPassesAndTheWorkerIsRespawned()
    {
        var time = new FakeTimeProvider();
        var transport = new ScriptedTransport();
        transport.OnStart = (worker, start, _) =>
        {
            // Both workers come up, then worker 0 crashes at once: its crash reaches the pool while the start is
            // passing, before the pool is running.
            if (worker == 1 && start == 1)
            {
                transport.Publish(WorkerEvent.Ready(0));
                transport.Publish(WorkerEvent.Ready(1));
                transport.Publish(WorkerEvent.Crashed(0, "injected"));
            }
            else if (start > 1)
            {
                transport.Publish(WorkerEvent.Ready(worker));
            }

            return ValueTask.CompletedTask;
        };
        var options = new WorkerPoolOptions { WorkerCount = 2, RespawnInitialDelay = TimeSpan.FromSeconds(1) };
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), options, time, LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs)));

        await pool.StartAsync().WaitAsync(Hang);
        await _logs.WaitFor(WorkerRespawning).WaitAsync(Hang);

        // A respawn is planned: the fake clock starts it, and the worker comes back.
        time.Advance(TimeSpan.FromSeconds(1));
        await _logs.WaitFor(WorkerRespawned).WaitAsync(Hang);
        Assert.Equal(WorkerState.Ready, pool.GetStats().Workers[0].State);
        Assert.Equal(2, transport.StartsOf(0));
    }
}
