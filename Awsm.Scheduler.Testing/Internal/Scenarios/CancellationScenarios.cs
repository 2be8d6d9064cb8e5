
namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>Caller cancellation, timeouts, paused workers and held delivery (DESIGN.md section 6).</summary>
internal static class CancellationScenarios
{
    public static async Task DispatchAsync_CancelWhileQueued_JobIsNeverSent(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
        });
        ConformanceGate busy = c.NewGate();
        ConformanceGate never = c.NewGate();
        Task<string> running = p.Gate(busy);
        await busy.Started();
        using var cts = new CancellationTokenSource();
        Task<string> queued = p.Gate(never, cts.Token);

        await cts.CancelAsync();

        await Check.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        busy.Release();
        await running;
        Check.Equal(1, await p.AddOne(0));
        Check.False(never.HasStarted);
        Check.Equal(1, p.Pool.GetStats().Canceled);
    }

    public static async Task DispatchAsync_CancelWhileRunning_WorkerTokenFiresAndCallerSeesCancellation(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        ConformanceGate gate = c.NewGate();
        using var cts = new CancellationTokenSource();
        Task<string> job = p.Gate(gate, cts.Token);
        await gate.Started();

        await cts.CancelAsync();

        var error = await Check.ThrowsAnyAsync<OperationCanceledException>(() => job);
        Check.Equal(cts.Token, error.CancellationToken);
        await gate.TokenFired();
        Check.Equal(0, p.Pool.GetStats().Pending);
    }

    public static async Task DispatchAsync_CanceledJobThatIgnoresItsToken_LateResultIsDropped(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = 1);
        ConformanceGate stubborn = c.NewGate(ignoreCancellation: true);
        using var cts = new CancellationTokenSource();
        Task<string> job = p.Gate(stubborn, cts.Token);
        await stubborn.Started();
        await cts.CancelAsync();
        await Check.ThrowsAnyAsync<OperationCanceledException>(() => job);
        await stubborn.TokenFired();

        stubborn.Release();

        // The late result travels the same worker's events (in order) as this job's reply, so it has been dropped by now.
        Check.Equal(1, await p.AddOne(0));
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(1, stats.Canceled);
        Check.Equal(1, stats.Completed);
        Check.Equal(0, stats.Pending);
    }

    public static async Task DispatchAsync_JobExceedsTimeout_FailsWithJobTimeoutAndWorkerTokenFires(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.JobTimeout = TimeSpan.FromSeconds(5));
        ConformanceGate gate = c.NewGate();
        Task<string> job = p.Gate(gate);
        await gate.Started();

        p.FakeTime.Advance(TimeSpan.FromSeconds(5));

        var error = await Check.ThrowsAsync<JobTimeoutException>(() => job);
        Check.Equal(TimeSpan.FromSeconds(5), error.Timeout);
        Check.True(error.IsTransient);
        await gate.TokenFired();
        Check.Equal(1, p.Pool.GetStats().TimedOut);
    }

    public static async Task DispatchAsync_JobWithinTimeout_Completes(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.JobTimeout = TimeSpan.FromSeconds(5));
        ConformanceGate gate = c.NewGate();
        Task<string> job = p.Gate(gate);
        await gate.Started();
        p.FakeTime.Advance(TimeSpan.FromSeconds(4));

        gate.Release();

        Check.EndsWith("@0", await job);
        p.FakeTime.Advance(TimeSpan.FromSeconds(10));
        Check.Equal(0, p.Pool.GetStats().TimedOut);
    }

    public static async Task DispatchAsync_PausedWorker_JobWaitsUntilResumed(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.JobTimeout = TimeSpan.FromSeconds(1);
        });
        p.Faults.Pause(0);
        Task<int> stuck = p.WhoAmI();
        await p.Faults.WhenMessagesHeldAsync(1).WaitAsync(c.Guard);

        p.FakeTime.Advance(TimeSpan.FromSeconds(1));

        await Check.ThrowsAsync<JobTimeoutException>(() => stuck);
        p.Faults.Resume(0);
        Check.Equal(0, await p.WhoAmI());
        Check.Equal(0, p.Faults.HeldMessageCount);
    }

    public static async Task DispatchAsync_HeldDelivery_TimeoutStillEndsTheJob(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.JobTimeout = TimeSpan.FromSeconds(1));
        p.Faults.HoldJobs();
        Task<int> job = p.WhoAmI();
        await p.Faults.WhenMessagesHeldAsync(1).WaitAsync(c.Guard);

        p.FakeTime.Advance(TimeSpan.FromSeconds(1));

        await Check.ThrowsAsync<JobTimeoutException>(() => job);
        p.Faults.ReleaseJobs();
        Check.InRange(await p.WhoAmI(), 0, 1);
        Check.Equal(0, p.Pool.GetStats().Pending);
    }

    public static async Task DispatchAsync_CanceledJobRunsPastGracePeriod_WorkerIsReplaced(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.CancellationGracePeriod = TimeSpan.FromSeconds(2);
            o.RespawnInitialDelay = TimeSpan.Zero;
            o.RespawnMaxDelay = TimeSpan.Zero;
        });
        ConformanceGate stubborn = c.NewGate(ignoreCancellation: true);
        using var cts = new CancellationTokenSource();
        Task<string> job = p.Gate(stubborn, cts.Token);
        await stubborn.Started();
        await cts.CancelAsync();
        await Check.ThrowsAnyAsync<OperationCanceledException>(() => job);
        await stubborn.TokenFired();
        p.FakeTime.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Check.Equal(0, p.Pool.GetStats().Workers[0].Crashes);

        p.FakeTime.Advance(TimeSpan.FromTicks(1));

        // The stubborn worker was terminated and replaced; the replacement serves.
        Check.Equal(0, await p.WhoAmI());
        Check.Equal(2, p.Faults.StartCount(0));
        Check.Equal(1, p.Pool.GetStats().Workers[0].Crashes);
    }
}
