using Awsm.Scheduler.Testing.Internal.Jobs;

namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>Crash isolation, respawn with backoff, eviction and quarantine (DESIGN.md section 5).</summary>
internal static class CrashScenarios
{
    public static async Task DispatchAsync_WorkerCrashesMidJob_OnlyThatWorkersJobsFail(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        ConformanceGate onFirst = c.NewGate();
        ConformanceGate onSecond = c.NewGate();
        Task<string> a = p.Gate(onFirst);
        Task<string> b = p.Gate(onSecond);
        int workerOfA = await onFirst.Started();
        await onSecond.Started();

        Check.True(p.Faults.Crash(workerOfA, "test crash"));

        var error = await Check.ThrowsAsync<WorkerCrashedException>(() => a);
        Check.Equal(workerOfA, error.WorkerIndex);
        Check.Contains("test crash", error.Message);
        Check.True(error.IsTransient);
        onSecond.Release();
        Check.EndsWith($"@{1 - workerOfA}", await b);
    }

    public static async Task DispatchAsync_WorkerCrashedAndNotYetRespawned_IsOutOfRotation(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        ConformanceGate gate = c.NewGate();
        Task<string> victim = p.Gate(gate);
        int crashed = await gate.Started();
        p.Faults.Crash(crashed);
        await Check.ThrowsAsync<WorkerCrashedException>(() => victim);

        int[] workers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => p.WhoAmI()));

        Check.All(workers, w => Check.Equal(1 - crashed, w));
        Check.Equal(WorkerState.Respawning, p.Pool.GetStats().Workers[crashed].State);
    }

    public static async Task DispatchAsync_CrashOnNextJob_FailsThatJobAndRespawnAfterBackoffServesAgain(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = 1);
        p.Faults.CrashOnNextJob(0);

        await Check.ThrowsAsync<WorkerCrashedException>(() => p.WhoAmI());
        Task<int> waiting = p.WhoAmI();
        p.FakeTime.Advance(WorkerPoolDefaults.RespawnInitialDelay - TimeSpan.FromTicks(1));
        Check.Equal(1, p.Faults.StartCount(0));
        p.FakeTime.Advance(TimeSpan.FromTicks(1));

        Check.Equal(2, p.Faults.StartCount(0));
        Check.Equal(0, await waiting);
        Check.Equal(1, p.Pool.GetStats().Workers[0].Crashes);
    }

    public static async Task DispatchAsync_ConsecutiveCrashes_BackoffDoubles(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = 1);
        ConformanceGate first = c.NewGate();
        Task<string> a = p.Gate(first);
        await first.Started();
        p.Faults.Crash(0);
        await Check.ThrowsAsync<WorkerCrashedException>(() => a);
        p.FakeTime.Advance(TimeSpan.FromMilliseconds(100));
        ConformanceGate second = c.NewGate();
        Task<string> b = p.Gate(second);
        await second.Started();

        p.Faults.Crash(0);
        await Check.ThrowsAsync<WorkerCrashedException>(() => b);
        p.FakeTime.Advance(TimeSpan.FromMilliseconds(199));
        Check.Equal(2, p.Faults.StartCount(0));
        p.FakeTime.Advance(TimeSpan.FromMilliseconds(1));

        Check.Equal(3, p.Faults.StartCount(0));
    }

    public static async Task DispatchAsync_RepliesOfACrashedWorker_AreNeverDelivered(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = 1);
        p.Faults.HoldReplies();
        Task<int> job = p.AddOne(1);
        await p.Faults.WhenRepliesHeldAsync(1).WaitAsync(c.Guard);

        p.Faults.Crash(0, "crashed with its reply in flight");
        p.Faults.ReleaseReplies();

        var error = await Check.ThrowsAsync<WorkerCrashedException>(() => job);
        Check.Contains("reply in flight", error.Message);
        p.FakeTime.Advance(WorkerPoolDefaults.RespawnInitialDelay);
        Check.Equal(3, await p.AddOne(2));
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(1, stats.Failed);
        Check.Equal(1, stats.Completed);
        Check.Equal(0, p.Faults.HeldReplyCount);
    }

    public static async Task DispatchAsync_WorkerKeepsFailingToStart_IsEvictedAndDispatchFailsClearly(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(
            o =>
            {
                o.WorkerCount = 1;
                o.MaxRespawnAttempts = 3;
                o.RespawnInitialDelay = TimeSpan.Zero;
                o.RespawnMaxDelay = TimeSpan.Zero;
            },
            realClock: true);
        p.Faults.FailNextStarts(0, count: 100, reason: "module not found");
        p.Faults.CrashOnNextJob(0);

        await Check.ThrowsAsync<WorkerCrashedException>(() => p.WhoAmI());
        var error = await Check.ThrowsAsync<NoLiveWorkersException>(() => p.WhoAmI());

        Check.Contains("evicted", error.Message);
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(WorkerState.Evicted, stats.Workers[0].State);
        Check.True(stats.IsDegraded);
        Check.Equal(4, p.Faults.StartCount(0));
    }

    public static async Task DispatchAsync_InputKeepsCrashingWorkers_IsQuarantined(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.PoisonJobThreshold = 2;
            o.RespawnInitialDelay = TimeSpan.FromSeconds(1);
            o.RespawnMaxDelay = TimeSpan.FromSeconds(1);
        });
        string poison = $"poison-{Guid.NewGuid():N}";

        for (int crash = 1; crash <= 2; crash++)
        {
            p.Faults.CrashOnNextJob(0);
            await Check.ThrowsAsync<WorkerCrashedException>(() => p.Echo(poison));
            p.FakeTime.Advance(TimeSpan.FromSeconds(1));
        }

        ValueTask<string> refused = p.Pool.DispatchAsync<EchoJob, string, string>(poison);

        Check.True(refused.IsFaulted, "a quarantined input is refused at once, before anything is queued or sent");
        JobQuarantinedException error = await Check.ThrowsAsync<JobQuarantinedException>(() => refused.AsTask());
        Check.Equal(EchoJob.Name, error.JobName);
        Check.Equal(2, error.Crashes);
        Check.False(error.IsTransient);
        Check.Equal("fine", await p.Echo("fine"));
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(1, stats.QuarantinedInputs);
        Check.Equal(3, p.Faults.StartCount(0));
    }
}
