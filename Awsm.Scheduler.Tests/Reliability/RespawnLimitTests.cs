using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Awsm.Scheduler.Tests.Reliability;

/// <summary>
/// A worker that keeps failing at start-up does not spin: its respawns back off up to the cap, the pool says it is
/// degraded, and once no worker can live, dispatch fails with <see cref="NoLiveWorkersException"/>. Time is fake; every
/// wait is on a job's task or on a log event the router raises.
/// </summary>
public sealed class RespawnLimitTests
{
    private const int RespawningEvent = 5;
    private const int EvictedEvent = 6;
    private const int DegradedEvent = 8;
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(InProcPayloadMode.Serialized)]
    [InlineData(InProcPayloadMode.ByReference)]
    public async Task Respawn_WorkerFailsEveryStart_BacksOffToMaxThenEvictsAndDispatchFailsWithNoLiveWorkers(InProcPayloadMode mode)
    {
        const int attempts = 8;
        await using ReliabilityHarness h = await StartAsync(mode, attempts);
        using var degraded = new MetricCollector<int>(h.Meters, SchedulerTelemetry.Name, SchedulerTelemetry.Degraded);
        using var failures = new MetricCollector<long>(h.Meters, SchedulerTelemetry.Name, SchedulerTelemetry.WorkerFailures);
        using var evicted = new MetricCollector<long>(h.Meters, SchedulerTelemetry.Name, SchedulerTelemetry.WorkersEvicted);
        await CrashWorkerZeroForGood(h);
        Task<int> waiting = h.Pool.DispatchAsync<AddOneJob, int, int>(1).AsTask();

        double[] expected = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
        for (int failure = 1; failure <= attempts; failure++)
        {
            await h.Logs.WaitFor(RespawningEvent, failure);
            IReadOnlyDictionary<string, object?> respawning = h.Logs.Events(RespawningEvent)[failure - 1];
            Assert.Equal(expected[failure - 1], (double)respawning["DelayMs"]!);
            Assert.Equal(failure, respawning["Failures"]);

            WorkerPoolStats stats = h.Pool.GetStats();
            Assert.True(stats.IsDegraded);
            Assert.Equal(0, stats.WorkersAlive);
            Assert.Equal(WorkerState.Respawning, stats.Workers[0].State);
            Assert.False(waiting.IsCompleted, "while a worker may still come back, the job waits in the queue");

            // Not a tick early: the slot does not spin.
            int starts = h.Transport.StartCount(0);
            h.Time.Advance(TimeSpan.FromMilliseconds(expected[failure - 1]) - TimeSpan.FromTicks(1));
            Assert.Equal(starts, h.Transport.StartCount(0));
            h.Time.Advance(TimeSpan.FromTicks(1));
            Assert.Equal(starts + 1, h.Transport.StartCount(0));
        }

        // Failure attempts + 1 evicts the last slot: the waiting job and new ones fail clearly.
        await Assert.ThrowsAsync<NoLiveWorkersException>(() => waiting.WaitAsync(ReliabilityHarness.Safety));
        await Assert.ThrowsAsync<NoLiveWorkersException>(() => h.Pool.DispatchAsync<AddOneJob, int, int>(2).AsTask().WaitAsync(ReliabilityHarness.Safety));
        await h.Logs.WaitFor(DegradedEvent);
        Assert.Equal(1, h.Logs.Count(EvictedEvent));
        Assert.Equal(attempts, h.Logs.Count(RespawningEvent));

        int finalStarts = h.Transport.StartCount(0);
        h.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(finalStarts, h.Transport.StartCount(0));
        Assert.Equal(1 + attempts, finalStarts);

        WorkerPoolStats end = h.Pool.GetStats();
        Assert.Equal(WorkerState.Evicted, end.Workers[0].State);
        Assert.True(end.IsDegraded);
        Assert.Equal(0, end.Pending);
        Assert.Equal(attempts + 1, failures.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(0, Assert.Single(evicted.GetMeasurementSnapshot()).Tags[SchedulerTelemetry.WorkerTag]);
        degraded.RecordObservableInstruments();
        Assert.Equal(1, degraded.LastMeasurement?.Value);
    }

    [Theory]
    [InlineData(InProcPayloadMode.Serialized)]
    [InlineData(InProcPayloadMode.ByReference)]
    public async Task Respawn_StartsFailThenSucceed_QueuedJobRunsAndBackoffStartsOver(InProcPayloadMode mode)
    {
        await using ReliabilityHarness h = await StartAsync(mode, attempts: 10, failedStarts: 3);
        using var degraded = new MetricCollector<int>(h.Meters, SchedulerTelemetry.Name, SchedulerTelemetry.Degraded);
        await CrashWorkerZeroForGood(h);
        Task<int> waiting = h.Pool.DispatchAsync<AddOneJob, int, int>(41).AsTask();

        // The crash and three failed starts: 100, 200, 400, 800 ms; the fifth start succeeds.
        for (int failure = 1; failure <= 4; failure++)
        {
            await h.Logs.WaitFor(RespawningEvent, failure);
            h.Time.Advance(Initial * Math.Pow(2, failure - 1));
        }

        Assert.Equal(42, await waiting.WaitAsync(ReliabilityHarness.Safety));
        Assert.False(h.Pool.GetStats().IsDegraded);
        degraded.RecordObservableInstruments();
        Assert.Equal(0, degraded.LastMeasurement?.Value);

        // A completed job reset the slot's failure count: the next crash backs off from the initial delay again.
        Gate gate = Gate.Create();
        Task<string> held = h.Pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask();
        await gate.Started.Task.WaitAsync(ReliabilityHarness.Safety);
        h.Transport.Crash(0);
        await Assert.ThrowsAsync<WorkerCrashedException>(() => held.WaitAsync(ReliabilityHarness.Safety));
        Assert.Equal(Initial.TotalMilliseconds, (double)h.Logs.Events(RespawningEvent)[^1]["DelayMs"]!);
        Assert.Equal(5, h.Logs.Count(RespawningEvent));
    }

    [Fact]
    public async Task Respawn_OneOfTwoWorkersEvicted_PoolDegradedButServes()
    {
        await using ReliabilityHarness h = await ReliabilityHarness.StartAsync(InProcPayloadMode.Serialized, o =>
        {
            o.RespawnInitialDelay = Initial;
            o.RespawnMaxDelay = Max;
            o.MaxRespawnAttempts = 0;
        });
        Gate gate = Gate.Create();
        Task<string> held = h.Pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask();
        int worker = await gate.Started.Task.WaitAsync(ReliabilityHarness.Safety);
        h.Transport.Crash(worker);
        await Assert.ThrowsAsync<WorkerCrashedException>(() => held.WaitAsync(ReliabilityHarness.Safety));

        WorkerPoolStats stats = h.Pool.GetStats();
        Assert.Equal(WorkerState.Evicted, stats.Workers[worker].State);
        Assert.True(stats.IsDegraded);
        Assert.Equal(1, stats.WorkersAlive);
        Assert.Equal(0, h.Logs.Count(DegradedEvent));
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(1 - worker, await h.Pool.DispatchAsync<WhoAmIJob, int, int>(0).AsTask().WaitAsync(ReliabilityHarness.Safety));
        }
    }

    /// <summary>One worker that starts once, then fails its next <paramref name="failedStarts"/> starts.</summary>
    private static async Task<ReliabilityHarness> StartAsync(InProcPayloadMode mode, int attempts, int failedStarts = 1_000)
    {
        ReliabilityHarness h = await ReliabilityHarness.StartAsync(mode, o =>
        {
            o.WorkerCount = 1;
            o.RespawnInitialDelay = Initial;
            o.RespawnMaxDelay = Max;
            o.MaxRespawnAttempts = attempts;
        });
        h.Transport.FailNextStarts(0, failedStarts, "cannot start");
        return h;
    }

    /// <summary>Crashes worker 0 while it holds a job, and returns once the pool has handled the crash.</summary>
    private static async Task CrashWorkerZeroForGood(ReliabilityHarness h)
    {
        Gate gate = Gate.Create();
        Task<string> held = h.Pool.DispatchAsync<GateJob, string, string>(gate.Key).AsTask();
        await gate.Started.Task.WaitAsync(ReliabilityHarness.Safety);
        h.Transport.Crash(0);

        // The respawn is planned before the crashed worker's jobs fail.
        await Assert.ThrowsAsync<WorkerCrashedException>(() => held.WaitAsync(ReliabilityHarness.Safety));
    }
}
