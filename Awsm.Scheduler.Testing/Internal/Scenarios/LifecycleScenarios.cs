
namespace Awsm.Scheduler.Testing.Internal.Scenarios;

/// <summary>Start failures, start timeouts, drain and abort (DESIGN.md section 5, lifecycle).</summary>
internal static class LifecycleScenarios
{
    public static async Task StartAsync_WorkerNeverReady_FailsAfterTimeoutNamingTheWorker(ConformanceContext c)
    {
        ConformancePool p = c.CreatePool(o => o.StartTimeout = TimeSpan.FromSeconds(10), beforeStart: f => f.HoldStarts(0));

        Task start = p.Pool.StartAsync();

        // Only once the start is under way: the pool arms its start timer when it asks for the start, which a transport
        // may reach only after an asynchronous initialization (a connection, for a network transport).
        await p.Faults.WhenReadyHeldAsync(0).WaitAsync(c.Guard);
        p.FakeTime.Advance(TimeSpan.FromSeconds(10));

        var error = await Check.ThrowsAsync<WorkerStartException>(() => start.WaitAsync(c.Guard));
        Check.Equal(0, error.WorkerIndex);
        Check.Contains("start timeout", error.Message);
        if (c.Has(TransportCapabilities.CountsLiveWorkers))
        {
            Check.Equal(0, p.LiveWorkers());
        }
    }

    public static async Task StartAsync_HeldStartReleased_PoolStartsAndServes(ConformanceContext c)
    {
        ConformancePool p = c.CreatePool(o => o.WorkerCount = 1, beforeStart: f => f.HoldStarts(0));
        Task start = p.Pool.StartAsync();
        Check.False(start.IsCompleted);

        p.Faults.ReleaseStarts(0);

        await start.WaitAsync(c.Guard);
        Check.Equal(0, await p.WhoAmI());
        Check.Equal(1, p.Faults.StartCount(0));
    }

    public static async Task StartAsync_WorkerReportsInitError_FailsWithTheReason(ConformanceContext c)
    {
        ConformancePool p = c.CreatePool(beforeStart: f => f.FailNextStarts(0, reason: "dotnet.js returned 404"));

        var error = await Check.ThrowsAsync<WorkerStartException>(() => p.StartAsync());

        Check.Equal(0, error.WorkerIndex);
        Check.Contains("dotnet.js returned 404", error.Message);

        // A pool that could not start fails later dispatches with the start error, not a bare "disposed".
        var later = await Check.ThrowsAsync<WorkerStartException>(() => p.AddOne(1));
        Check.Contains("dotnet.js returned 404", later.Message);
    }

    public static async Task StopAsync_Drain_LetsInFlightJobsFinishAndRejectsNewOnes(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        ConformanceGate gate = c.NewGate();
        Task<string> running = p.Gate(gate);
        await gate.Started();

        Task stopping = p.Pool.StopAsync(PoolShutdownMode.Drain);

        await Check.ThrowsAsync<SchedulerDisposedException>(() => p.AddOne(1));
        Check.False(stopping.IsCompleted);
        gate.Release();
        Check.EndsWith("@0", await running);
        await stopping.WaitAsync(c.Guard);
        Check.Equal(0, p.Pool.GetStats().Pending);
        if (c.Has(TransportCapabilities.CountsLiveWorkers))
        {
            Check.Equal(0, p.LiveWorkers());
        }
    }

    public static async Task StopAsync_Abort_FailsQueuedAndInFlightJobsAndCancelsWorkers(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
        });
        ConformanceGate gate = c.NewGate();
        Task<string> running = p.Gate(gate);
        await gate.Started();
        Task<int> queued = p.AddOne(1);

        await p.Pool.StopAsync(PoolShutdownMode.Abort).WaitAsync(c.Guard);

        await Check.ThrowsAsync<SchedulerDisposedException>(() => running);
        await Check.ThrowsAsync<SchedulerDisposedException>(() => queued);
        Check.Equal(0, p.Pool.GetStats().Pending);

        // The running job stops on its worker. Where a terminated worker's code runs on until it observes its token
        // (threads, remote hosts), the token must fire, or the job would never stop. Where the terminate ends the code
        // outright (a terminated Web Worker runs nothing more; there is no token left to fire), no worker may be left.
        // A transport that can show neither must show the token.
        bool countsWorkers = c.Has(TransportCapabilities.CountsLiveWorkers);
        if (!countsWorkers || c.Has(TransportCapabilities.JobsOutliveTermination))
        {
            await gate.TokenFired();
        }

        if (countsWorkers)
        {
            Check.Equal(0, p.LiveWorkers());
        }
    }

    public static async Task StopAsync_DrainWithTokenThatFires_AbortsWhatIsLeft(ConformanceContext c)
    {
        ConformancePool p = await c.StartPoolAsync();
        ConformanceGate gate = c.NewGate();
        Task<string> running = p.Gate(gate);
        await gate.Started();
        using var hurry = new CancellationTokenSource();

        Task stopping = p.Pool.StopAsync(PoolShutdownMode.Drain, hurry.Token);
        await hurry.CancelAsync();
        await stopping.WaitAsync(c.Guard);

        await Check.ThrowsAsync<SchedulerDisposedException>(() => running);
    }
}
