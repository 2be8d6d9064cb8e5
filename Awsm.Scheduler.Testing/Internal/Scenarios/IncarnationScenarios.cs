using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>
/// The one way back: what the pool's writer hears. Only a worker's current incarnation speaks; a start has one outcome;
/// replies written before a crash are kept. The events are written through the decorator's writer, so every driver runs
/// the same rules over its own transport.
/// </summary>
internal static class IncarnationScenarios
{
    public static async Task StartAsync_SecondOutcomeForOneStart_IsNotHeard(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = 1);

        Check.True(!p.Faults.InjectEvent(WorkerEvent.Ready(0)), "a second ready for one start is dropped");
        Check.True(!p.Faults.InjectEvent(WorkerEvent.InitError(0, "an init error after ready")), "an init error after ready is dropped");

        Check.Equal(2, await p.AddOne(1));
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(WorkerState.Ready, stats.Workers[0].State);
        Check.Equal(0, stats.Workers[0].Crashes);
    }

    public static async Task DispatchAsync_EventsOfAReplacedIncarnation_AreNotHeard(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = 1);
        int first = p.Faults.IncarnationOf(0);
        p.Faults.CrashOnNextJob(0);
        await Check.ThrowsAsync<WorkerCrashedException>(() => p.WhoAmI());
        Task<int> waiting = p.WhoAmI();
        p.FakeTime.Advance(WorkerPoolDefaults.RespawnInitialDelay);
        Check.Equal(0, await waiting);
        Check.True(p.Faults.IncarnationOf(0) > first, "a respawn is a new incarnation");

        ConformanceGate gate = c.NewGate();
        Task<string> job = p.Gate(gate);
        await gate.Started();
        JobId id = p.Faults.LastJobSentTo(0)!.Value;

        // The replaced incarnation's ready, crash and a forged reply for the job the new one runs: none is heard.
        Check.False(p.Faults.InjectEvent(WorkerEvent.Ready(0), first));
        Check.False(p.Faults.InjectEvent(WorkerEvent.Crashed(0, "the old incarnation dies again"), first));
        Check.False(p.Faults.InjectEvent(WorkerEvent.Error(0, id, JobErrorKind.JobFailed, "Forged", "from the old incarnation", null), first));
        Check.False(job.IsCompleted);

        gate.Release();
        Check.Equal($"{gate.Key}@0", await job);
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(1, stats.Workers[0].Crashes);
        Check.Equal(WorkerState.Ready, stats.Workers[0].State);
    }

    public static async Task DispatchAsync_ReplyWrittenBeforeACrash_IsKept(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o => o.WorkerCount = 1);
        p.Faults.HoldReplies();
        Task<int> job = p.AddOne(1);
        await p.Faults.WhenRepliesHeldAsync(1).WaitAsync(c.Guard);

        p.Faults.ReleaseReplies();
        Check.True(p.Faults.Crash(0, "crashed right after its reply"));

        Check.Equal(2, await job);
        WorkerPoolStats stats = p.Pool.GetStats();
        Check.Equal(1, stats.Completed);
        Check.Equal(0, stats.Failed);
    }
}
