using Awsm.Scheduler.Tests.Hosting;
using Awsm.Scheduler.Tests.Reliability;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Pool;

/// <summary>Starts, start timeouts and respawns, as the supervisor owns them for every transport.</summary>
[Collection(ReliabilityStorms.Name)]
public sealed class WorkerSupervisorTests
{
    private const int WorkerRespawning = 5;
    private const int StartAbandoned = 35;
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);
    private readonly LogSignal _logs = new();

    [Fact]
    public async Task Respawn_WorkerNeverReadyAgain_TimesOutTerminatesAndRetries()
    {
        var time = new FakeTimeProvider();
        var transport = new ScriptedTransport();
        transport.OnStart = (worker, start, _) =>
        {
            // Worker 0 comes up the first time only; every respawn of it stays silent.
            if (worker != 0 || start == 1)
            {
                transport.Publish(WorkerEvent.Ready(worker));
            }

            return ValueTask.CompletedTask;
        };
        var options = new WorkerPoolOptions { WorkerCount = 2, StartTimeout = TimeSpan.FromSeconds(5), RespawnInitialDelay = TimeSpan.FromSeconds(1) };
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), options, time, Logging());
        await pool.StartAsync().WaitAsync(Hang);

        transport.Publish(WorkerEvent.Crashed(0, "injected"));
        await _logs.WaitFor(WorkerRespawning);
        time.Advance(TimeSpan.FromSeconds(1)); // the fake clock runs the respawn timer, and the start, on this thread
        Assert.Equal(2, transport.StartsOf(0));
        Assert.Equal(WorkerState.Starting, pool.GetStats().Workers[0].State);

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(1, transport.TerminationsOf(0));
        WorkerStats worker = pool.GetStats().Workers[0];
        Assert.Equal(WorkerState.Respawning, worker.State);
        Assert.Equal(2, worker.Crashes);
        time.Advance(TimeSpan.FromSeconds(2)); // second consecutive failure: twice the initial delay
        Assert.Equal(3, transport.StartsOf(0));
    }

    [Fact]
    public async Task StopAsync_WhileARespawnIsStarting_StartFailureIsObservedAndStopCompletes()
    {
        using var unobserved = new UnobservedTaskExceptions();
        var time = new FakeTimeProvider();
        var transport = new ScriptedTransport();
        var respawnEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseRespawn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.OnStart = async (worker, start, _) =>
        {
            if (start == 1)
            {
                transport.Publish(WorkerEvent.Ready(worker));
                return;
            }

            // A respawn the pool's stop overtakes; the transport then fails it the way a torn-down transport does.
            respawnEntered.TrySetResult();
            await releaseRespawn.Task.ConfigureAwait(false);
            throw new ObjectDisposedException("CancellationTokenSource", "The CancellationTokenSource has been disposed.");
        };
        var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2, RespawnInitialDelay = TimeSpan.FromSeconds(1) }, time, Logging());
        await pool.StartAsync().WaitAsync(Hang);

        transport.Publish(WorkerEvent.Crashed(0, "injected"));
        await _logs.WaitFor(WorkerRespawning);
        time.Advance(TimeSpan.FromSeconds(1));
        await respawnEntered.Task.WaitAsync(Hang);
        await pool.StopAsync(PoolShutdownMode.Abort).WaitAsync(Hang);
        releaseRespawn.SetResult();
        await _logs.WaitFor(StartAbandoned);

        Assert.All(pool.GetStats().Workers, w => Assert.Equal(WorkerState.Stopped, w.State));
        unobserved.AssertNone("a respawn that failed after the pool stopped");
    }

    [Fact]
    public async Task StartAsync_FirstWorkerFailsQuickly_FailsWithoutWaitingForTheOthers()
    {
        var time = new FakeTimeProvider();
        var transport = new ScriptedTransport();
        transport.OnStart = (worker, _, _) =>
        {
            if (worker == 0)
            {
                transport.Publish(WorkerEvent.InitError(0, "dotnet.js returned 404"));
            }

            // Worker 1 never answers: without the first failure ending the start, it would wait for the timeout.
            return ValueTask.CompletedTask;
        };
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2 }, time);

        var error = await Assert.ThrowsAsync<WorkerStartException>(() => pool.StartAsync().WaitAsync(Hang));

        Assert.Equal(0, error.WorkerIndex);
        Assert.Contains("404", error.Message);
    }

    private ILoggerFactory Logging() => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
}
