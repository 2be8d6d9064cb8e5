using Awsm.Scheduler.InProc;
using Awsm.Scheduler.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Contract;

/// <summary>
/// The semantics every transport honours (DESIGN.md sections 3 to 6), run once per transport and mode by the sealed
/// subclasses below. Synchronisation is by gates inside jobs, transport controls and a fake clock: never by sleeping.
/// </summary>
public abstract class TransportContractTests
{
    protected abstract InProcPayloadMode Mode { get; }

    protected virtual InProcThreading Threading => InProcThreading.DedicatedThreads;

    private Task<PoolHarness> StartAsync(Action<WorkerPoolOptions>? configure = null, TimeProvider? time = null, Action<InProcTransport>? beforeStart = null) =>
        PoolHarness.StartAsync(Mode, configure, time, beforeStart, Threading);

    [Fact]
    public async Task DispatchAsync_RegisteredJob_ReturnsOutput()
    {
        await using PoolHarness h = await StartAsync();

        int result = await h.Pool.DispatchAsync<AddOneJob, int, int>(41);

        Assert.Equal(42, result);
    }

    [Fact]
    public async Task DispatchAsync_RecordThroughJsonContext_RoundTrips()
    {
        await using PoolHarness h = await StartAsync();

        SumOutput output = await h.Pool.DispatchAsync<SumJob, SumInput, SumOutput>(new SumInput([1, 2, 3, 4]));

        Assert.Equal(10, output.Total);
    }

    [Fact]
    public async Task DispatchAsync_ByteArray_ArrivesIntact()
    {
        await using PoolHarness h = await StartAsync();
        byte[] input = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();

        byte[] output = await h.Pool.DispatchAsync<ReverseBytesJob, byte[], byte[]>(input);

        Assert.Equal(input.Reverse(), output);
    }

    [Fact]
    public async Task DispatchAsync_ManyConcurrentJobs_AllCompleteAndPendingMapEmpties()
    {
        await using PoolHarness h = await StartAsync(o => o.MaxInFlightPerWorker = 4);

        int[] results = await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => h.Pool.DispatchAsync<AddOneJob, int, int>(i).AsTask()));

        Assert.Equal(Enumerable.Range(1, 2_000), results);
        WorkerPoolStats stats = h.Pool.GetStats();
        Assert.Equal(2_000, stats.Completed);
        Assert.Equal(0, stats.Pending);
        Assert.Equal(0, h.Pool.PendingCount);
        Assert.All(stats.Workers, w => Assert.Equal(0, w.InFlight));
    }

    [Fact]
    public async Task DispatchAsync_JobThrows_FailsWithRemoteTypeMessageAndStack()
    {
        await using PoolHarness h = await StartAsync();

        var error = await Assert.ThrowsAsync<JobFailedException>(async () => await h.Pool.DispatchAsync<ThrowJob, string, int>("boom"));

        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteType);
        Assert.Equal("boom", error.RemoteMessage);
        Assert.Contains(nameof(ThrowJob), error.RemoteStackTrace);
        Assert.False(error.IsTransient);
        Assert.Equal(42, await h.Pool.DispatchAsync<AddOneJob, int, int>(41));
    }

    [Fact]
    public async Task DispatchAsync_UnregisteredJob_FailsBeforeSending()
    {
        var transport = new InProcTransport(new InProcTransportOptions { Mode = Mode, Threading = Threading });
        await using var pool = new WorkerPool(transport, new JobRegistry().Add<AddOneJob, int, int>(TestJsonContext.Default), new WorkerPoolOptions { WorkerCount = 1 }, new FakeTimeProvider());
        await pool.StartAsync();

        var error = await Assert.ThrowsAsync<UnknownJobException>(async () => await pool.DispatchAsync<WhoAmIJob, int, int>(0));

        Assert.Equal(WhoAmIJob.Name, error.JobName);
        Assert.Equal(0, pool.GetStats().Dispatched);
    }

    [Fact]
    public async Task DispatchAsync_NullInput_ThrowsArgumentNullException()
    {
        await using PoolHarness h = await StartAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await h.Pool.DispatchAsync<ThrowJob, string, int>(null!));
    }

    [Fact]
    public async Task DispatchAsync_AfterDispose_ThrowsSchedulerDisposedException()
    {
        PoolHarness h = await StartAsync();
        await h.Pool.DisposeAsync();

        await Assert.ThrowsAsync<SchedulerDisposedException>(async () => await h.Pool.DispatchAsync<AddOneJob, int, int>(1));
    }

    [Fact]
    public async Task DispatchAsync_QueueFullInRejectMode_ThrowsQueueFullAndPoolStaysHealthy()
    {
        await using PoolHarness h = await StartAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
            o.QueueCapacity = 2;
            o.QueueFullMode = QueueFullMode.Reject;
        });
        Gate busy = Gate.Create();
        ValueTask<string> running = h.Gate(busy);
        await busy.Started.Task;
        ValueTask<int> queued1 = h.Pool.DispatchAsync<AddOneJob, int, int>(1);
        ValueTask<int> queued2 = h.Pool.DispatchAsync<AddOneJob, int, int>(2);

        var error = await Assert.ThrowsAsync<QueueFullException>(async () => await h.Pool.DispatchAsync<AddOneJob, int, int>(3));

        Assert.Equal(2, error.Capacity);
        busy.Release.SetResult();
        Assert.EndsWith("@0", await running);
        Assert.Equal(2, await queued1);
        Assert.Equal(3, await queued2);
        Assert.Equal(5, await h.Pool.DispatchAsync<AddOneJob, int, int>(4));
    }

    [Fact]
    public async Task DispatchAsync_QueueFullInWaitMode_WaitsForRoom()
    {
        await using PoolHarness h = await StartAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
            o.QueueCapacity = 1;
        });
        Gate busy = Gate.Create();
        ValueTask<string> running = h.Gate(busy);
        await busy.Started.Task;
        ValueTask<int> queued = h.Pool.DispatchAsync<AddOneJob, int, int>(1);

        Task<int> waiting = h.Pool.DispatchAsync<AddOneJob, int, int>(2).AsTask();

        Assert.False(waiting.IsCompleted);
        busy.Release.SetResult();
        await running;
        Assert.Equal(2, await queued);
        Assert.Equal(3, await waiting);
    }

    [Fact]
    public async Task DispatchAsync_PerWorkerInFlightLimit_HoldsFurtherJobsBack()
    {
        await using PoolHarness h = await StartAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
        });
        Gate first = Gate.Create();
        Gate second = Gate.Create();
        ValueTask<string> a = h.Gate(first);
        await first.Started.Task;

        ValueTask<string> b = h.Gate(second);

        Assert.Equal(1, h.Pool.GetStats().Workers[0].InFlight);
        Assert.False(second.Started.Task.IsCompleted);
        first.Release.SetResult();
        await a;
        await second.Started.Task;
        second.Release.SetResult();
        await b;
    }

    [Fact]
    public async Task DispatchAsync_CancelWhileQueued_JobIsNeverSent()
    {
        await using PoolHarness h = await StartAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
        });
        Gate busy = Gate.Create();
        Gate never = Gate.Create();
        ValueTask<string> running = h.Gate(busy);
        await busy.Started.Task;
        using var cts = new CancellationTokenSource();
        ValueTask<string> queued = h.Gate(never, cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queued);
        busy.Release.SetResult();
        await running;
        Assert.Equal(1, await h.Pool.DispatchAsync<AddOneJob, int, int>(0));
        Assert.False(never.Started.Task.IsCompleted);
        Assert.Equal(1, h.Pool.GetStats().Canceled);
    }

    [Fact]
    public async Task DispatchAsync_CancelWhileRunning_WorkerTokenFiresAndCallerSeesCancellation()
    {
        await using PoolHarness h = await StartAsync();
        Gate gate = Gate.Create();
        using var cts = new CancellationTokenSource();
        ValueTask<string> job = h.Gate(gate, cts.Token);
        await gate.Started.Task;

        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await job);
        Assert.Equal(cts.Token, error.CancellationToken);
        await gate.TokenFired.Task;
        Assert.Equal(0, h.Pool.PendingCount);
    }

    [Fact]
    public async Task DispatchAsync_CancelledJobThatIgnoresItsToken_LateResultIsDropped()
    {
        await using PoolHarness h = await StartAsync(o => o.WorkerCount = 1);
        Gate stubborn = Gate.Create(ignoreCancellation: true);
        using var cts = new CancellationTokenSource();
        ValueTask<string> job = h.Gate(stubborn, cts.Token);
        await stubborn.Started.Task;
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await job);
        await stubborn.TokenFired.Task;

        stubborn.Release.SetResult();

        // The late result travels the same worker queue as this job's reply, so it has been dropped by now.
        Assert.Equal(1, await h.Pool.DispatchAsync<AddOneJob, int, int>(0));
        WorkerPoolStats stats = h.Pool.GetStats();
        Assert.Equal(1, stats.Canceled);
        Assert.Equal(1, stats.Completed);
        Assert.Equal(0, stats.Pending);
    }

    [Fact]
    public async Task DispatchAsync_JobExceedsTimeout_FailsWithJobTimeoutAndWorkerTokenFires()
    {
        var time = new FakeTimeProvider();
        await using PoolHarness h = await StartAsync(o => o.JobTimeout = TimeSpan.FromSeconds(5), time);
        Gate gate = Gate.Create();
        ValueTask<string> job = h.Gate(gate);
        await gate.Started.Task;

        time.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<JobTimeoutException>(async () => await job);
        Assert.Equal(TimeSpan.FromSeconds(5), error.Timeout);
        Assert.True(error.IsTransient);
        await gate.TokenFired.Task;
        Assert.Equal(1, h.Pool.GetStats().TimedOut);
    }

    [Fact]
    public async Task DispatchAsync_JobWithinTimeout_Completes()
    {
        var time = new FakeTimeProvider();
        await using PoolHarness h = await StartAsync(o => o.JobTimeout = TimeSpan.FromSeconds(5), time);
        Gate gate = Gate.Create();
        ValueTask<string> job = h.Gate(gate);
        await gate.Started.Task;
        time.Advance(TimeSpan.FromSeconds(4));

        gate.Release.SetResult();

        Assert.EndsWith("@0", await job);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, h.Pool.GetStats().TimedOut);
    }

    [Fact]
    public async Task DispatchAsync_WorkerCrashesMidJob_OnlyThatWorkersJobsFail()
    {
        await using PoolHarness h = await StartAsync();
        Gate onZero = Gate.Create();
        Gate onOne = Gate.Create();
        ValueTask<string> a = h.Gate(onZero);
        ValueTask<string> b = h.Gate(onOne);
        int workerOfA = await onZero.Started.Task;
        await onOne.Started.Task;

        h.Transport.Crash(workerOfA, "test crash");

        var error = await Assert.ThrowsAsync<WorkerCrashedException>(async () => await a);
        Assert.Equal(workerOfA, error.WorkerIndex);
        Assert.Contains("test crash", error.Message);
        Assert.True(error.IsTransient);
        onOne.Release.SetResult();
        Assert.EndsWith($"@{1 - workerOfA}", await b);
    }

    [Fact]
    public async Task DispatchAsync_WorkerCrashedAndNotYetRespawned_IsOutOfRotation()
    {
        await using PoolHarness h = await StartAsync();
        Gate gate = Gate.Create();
        ValueTask<string> victim = h.Gate(gate);
        int crashed = await gate.Started.Task;
        h.Transport.Crash(crashed);
        await Assert.ThrowsAsync<WorkerCrashedException>(async () => await victim);

        int[] workers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => h.WhoAmI().AsTask()));

        Assert.All(workers, w => Assert.Equal(1 - crashed, w));
        Assert.Equal(WorkerState.Respawning, h.Pool.GetStats().Workers[crashed].State);
    }

    [Fact]
    public async Task DispatchAsync_CrashOnNextJob_FailsThatJobAndRespawnAfterBackoffServesAgain()
    {
        var time = new FakeTimeProvider();
        await using PoolHarness h = await StartAsync(o => o.WorkerCount = 1, time);
        h.Transport.CrashOnNextJob(0);

        await Assert.ThrowsAsync<WorkerCrashedException>(async () => await h.WhoAmI());
        Task<int> waiting = h.WhoAmI().AsTask();
        time.Advance(WorkerPoolDefaults.RespawnInitialDelay - TimeSpan.FromTicks(1));
        Assert.Equal(1, h.Transport.StartCount(0));
        time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(2, h.Transport.StartCount(0));
        Assert.Equal(0, await waiting);
        Assert.Equal(1, h.Pool.GetStats().Workers[0].Crashes);
    }

    [Fact]
    public async Task DispatchAsync_ConsecutiveCrashes_BackoffDoubles()
    {
        var time = new FakeTimeProvider();
        await using PoolHarness h = await StartAsync(o => o.WorkerCount = 1, time);
        Gate first = Gate.Create();
        ValueTask<string> a = h.Gate(first);
        await first.Started.Task;
        h.Transport.Crash(0);
        await Assert.ThrowsAsync<WorkerCrashedException>(async () => await a);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Gate second = Gate.Create();
        ValueTask<string> b = h.Gate(second);
        await second.Started.Task;

        h.Transport.Crash(0);
        await Assert.ThrowsAsync<WorkerCrashedException>(async () => await b);
        time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal(2, h.Transport.StartCount(0));
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(3, h.Transport.StartCount(0));
    }

    [Fact]
    public async Task DispatchAsync_WorkerKeepsFailingToStart_IsEvictedAndDispatchFailsClearly()
    {
        await using PoolHarness h = await StartAsync(
            o =>
            {
                o.WorkerCount = 1;
                o.MaxRespawnAttempts = 3;
                o.RespawnInitialDelay = TimeSpan.Zero;
                o.RespawnMaxDelay = TimeSpan.Zero;
            },
            TimeProvider.System);
        h.Transport.FailNextStarts(0, count: 100, reason: "module not found");
        h.Transport.CrashOnNextJob(0);

        await Assert.ThrowsAsync<WorkerCrashedException>(async () => await h.WhoAmI());
        var error = await Assert.ThrowsAsync<NoLiveWorkersException>(async () => await h.WhoAmI());

        Assert.Contains("evicted", error.Message);
        WorkerPoolStats stats = h.Pool.GetStats();
        Assert.Equal(WorkerState.Evicted, stats.Workers[0].State);
        Assert.True(stats.IsDegraded);
        Assert.Equal(4, h.Transport.StartCount(0));
    }

    [Fact]
    public async Task StartAsync_WorkerNeverReady_FailsAfterTimeoutNamingTheWorker()
    {
        var time = new FakeTimeProvider();
        var transport = new InProcTransport(new InProcTransportOptions { Mode = Mode, Threading = Threading });
        transport.HoldReady(0);
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2, StartTimeout = TimeSpan.FromSeconds(10) }, time);

        Task start = pool.StartAsync();
        time.Advance(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<WorkerStartException>(() => start);
        Assert.Equal(0, error.WorkerIndex);
        Assert.Contains("start timeout", error.Message);
        Assert.Equal(0, transport.LiveThreads);
    }

    [Fact]
    public async Task StartAsync_WorkerReportsInitError_FailsWithTheReason()
    {
        var transport = new InProcTransport(new InProcTransportOptions { Mode = Mode, Threading = Threading });
        transport.FailNextStarts(0, reason: "dotnet.js returned 404");
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 2 }, new FakeTimeProvider());

        var error = await Assert.ThrowsAsync<WorkerStartException>(() => pool.StartAsync());

        Assert.Equal(0, error.WorkerIndex);
        Assert.Contains("dotnet.js returned 404", error.Message);
    }

    [Fact]
    public async Task DispatchAsync_BeforeStart_WaitsInQueueUntilWorkersAreReady()
    {
        var transport = new InProcTransport(new InProcTransportOptions { Mode = Mode, Threading = Threading });
        await using var pool = new WorkerPool(transport, TestRegistry.Create(), new WorkerPoolOptions { WorkerCount = 1 }, new FakeTimeProvider());
        Task<int> early = pool.DispatchAsync<AddOneJob, int, int>(1).AsTask();
        Assert.False(early.IsCompleted);

        await pool.StartAsync();

        Assert.Equal(2, await early);
    }

    [Fact]
    public async Task StopAsync_Drain_LetsInFlightJobsFinishAndRejectsNewOnes()
    {
        PoolHarness h = await StartAsync();
        Gate gate = Gate.Create();
        ValueTask<string> running = h.Gate(gate);
        await gate.Started.Task;

        Task stopping = h.Pool.StopAsync(ShutdownMode.Drain);

        await Assert.ThrowsAsync<SchedulerDisposedException>(async () => await h.Pool.DispatchAsync<AddOneJob, int, int>(1));
        Assert.False(stopping.IsCompleted);
        gate.Release.SetResult();
        Assert.EndsWith("@0", await running);
        await stopping;
        Assert.Equal(0, h.Pool.PendingCount);
        Assert.Equal(0, h.Transport.LiveThreads);
    }

    [Fact]
    public async Task StopAsync_Abort_FailsQueuedAndInFlightJobsAndCancelsWorkers()
    {
        PoolHarness h = await StartAsync(o =>
        {
            o.WorkerCount = 1;
            o.MaxInFlightPerWorker = 1;
        });
        Gate gate = Gate.Create();
        ValueTask<string> running = h.Gate(gate);
        await gate.Started.Task;
        ValueTask<int> queued = h.Pool.DispatchAsync<AddOneJob, int, int>(1);

        await h.Pool.StopAsync(ShutdownMode.Abort);

        await Assert.ThrowsAsync<SchedulerDisposedException>(async () => await running);
        await Assert.ThrowsAsync<SchedulerDisposedException>(async () => await queued);
        await gate.TokenFired.Task;
        Assert.Equal(0, h.Pool.PendingCount);
        Assert.Equal(0, h.Transport.LiveThreads);
    }

    [Fact]
    public async Task StopAsync_DrainWithTokenThatFires_AbortsWhatIsLeft()
    {
        PoolHarness h = await StartAsync();
        Gate gate = Gate.Create();
        ValueTask<string> running = h.Gate(gate);
        await gate.Started.Task;
        using var hurry = new CancellationTokenSource();

        Task stopping = h.Pool.StopAsync(ShutdownMode.Drain, hurry.Token);
        await hurry.CancelAsync();
        await stopping;

        await Assert.ThrowsAsync<SchedulerDisposedException>(async () => await running);
    }

    [Theory]
    [InlineData("bogus-kind", "1000")]
    [InlineData("result", "not-a-number")]
    [InlineData("result", null)]
    [InlineData("result", "-5")]
    [InlineData("result", "99999999999")]
    [InlineData("error", "1000")]
    [InlineData("result", "1000")]
    public async Task DispatchAsync_MalformedOrStaleEnvelopes_AreDroppedAndPoolStaysHealthy(string kind, string? id)
    {
        await using PoolHarness h = await StartAsync();

        h.Transport.InjectEnvelope(0, kind, id, new byte[] { 1, 2, 3 });
        h.Transport.InjectEnvelope(7, "result", "1000");

        Assert.Equal(42, await h.Pool.DispatchAsync<AddOneJob, int, int>(41));
        WorkerPoolStats stats = h.Pool.GetStats();
        Assert.Equal(1, stats.Completed);
        Assert.Equal(0, stats.Failed);
        Assert.Equal(2, stats.WorkersAlive);
    }

    [Fact]
    public async Task DispatchAsync_DuplicateReplyForAJob_FirstWinsAndTheJobEndsOnce()
    {
        await using PoolHarness h = await StartAsync(o => o.WorkerCount = 1);
        Gate gate = Gate.Create();
        ValueTask<string> job = h.Gate(gate);
        await gate.Started.Task;

        h.Transport.InjectEnvelope(0, "error", "1", default, "job-failed", "Forged", "first reply wins");
        var error = await Assert.ThrowsAsync<JobFailedException>(async () => await job);
        gate.Release.SetResult();

        Assert.Equal("Forged", error.RemoteType);
        Assert.Equal(1, await h.Pool.DispatchAsync<AddOneJob, int, int>(0));
        WorkerPoolStats stats = h.Pool.GetStats();
        Assert.Equal(1, stats.Failed);
        Assert.Equal(1, stats.Completed);
        Assert.Equal(0, stats.Pending);
    }

    [Fact]
    public async Task DispatchAsync_ReplyFromAnotherWorker_IsDropped()
    {
        await using PoolHarness h = await StartAsync();
        Gate gate = Gate.Create();
        ValueTask<string> job = h.Gate(gate);
        int worker = await gate.Started.Task;

        h.Transport.InjectEnvelope(1 - worker, "error", "1", default, "job-failed", "Forged", "wrong worker");
        gate.Release.SetResult();

        Assert.EndsWith($"@{worker}", await job);
    }

    [Fact]
    public async Task DispatchAsync_RoundRobin_AlternatesWorkers()
    {
        await using PoolHarness h = await StartAsync(o => o.Strategy = WorkerSelectionStrategies.RoundRobin());

        var workers = new List<int>();
        for (int i = 0; i < 6; i++)
        {
            workers.Add(await h.WhoAmI());
        }

        Assert.Equal([0, 1, 0, 1, 0, 1], workers);
    }

    [Fact]
    public async Task DispatchAsync_LeastBusy_AvoidsTheBusyWorker()
    {
        await using PoolHarness h = await StartAsync(o => o.Strategy = WorkerSelectionStrategies.LeastBusy());
        Gate gate = Gate.Create();
        ValueTask<string> busy = h.Gate(gate);
        int busyWorker = await gate.Started.Task;

        var workers = new List<int>();
        for (int i = 0; i < 6; i++)
        {
            workers.Add(await h.WhoAmI());
        }

        Assert.All(workers, w => Assert.Equal(1 - busyWorker, w));
        gate.Release.SetResult();
        await busy;
    }

    [Fact]
    public async Task DispatchAsync_PausedWorker_JobWaitsUntilResumed()
    {
        var time = new FakeTimeProvider();
        await using PoolHarness h = await StartAsync(
            o =>
            {
                o.WorkerCount = 1;
                o.JobTimeout = TimeSpan.FromSeconds(1);
            },
            time);
        h.Transport.Pause(0);
        Task<int> stuck = h.WhoAmI().AsTask();

        time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<JobTimeoutException>(() => stuck);
        h.Transport.Resume(0);
        Assert.Equal(0, await h.WhoAmI());
    }

    [Fact]
    public async Task DispatchAsync_HeldDelivery_TimeoutStillEndsTheJob()
    {
        var time = new FakeTimeProvider();
        await using PoolHarness h = await StartAsync(o => o.JobTimeout = TimeSpan.FromSeconds(1), time);
        h.Transport.HoldJobs();
        Task<int> job = h.WhoAmI().AsTask();

        time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<JobTimeoutException>(() => job);
        h.Transport.ReleaseJobs();
        Assert.InRange(await h.WhoAmI(), 0, 1);
        Assert.Equal(0, h.Pool.PendingCount);
    }
}

public sealed class InProcSerializedContractTests : TransportContractTests
{
    protected override InProcPayloadMode Mode => InProcPayloadMode.Serialized;

    [Fact]
    public async Task DispatchAsync_UnserializableInput_FailsBeforeSendingNamingTypeAndDirection()
    {
        await using PoolHarness h = await PoolHarness.StartAsync(Mode);

        var error = await Assert.ThrowsAsync<JobSerializationException>(async () => await h.Pool.DispatchAsync<UnserializableInputJob, TypeHolder, int>(new TypeHolder { Held = typeof(string) }));

        Assert.Equal(SerializationDirection.Input, error.Direction);
        Assert.Equal(typeof(TypeHolder).FullName, error.TypeName);
        Assert.Equal(0, h.Pool.GetStats().Dispatched);
        Assert.Equal(42, await h.Pool.DispatchAsync<AddOneJob, int, int>(41));
    }

    [Fact]
    public async Task DispatchAsync_UnserializableOutput_FailsNamingTypeAndDirection()
    {
        await using PoolHarness h = await PoolHarness.StartAsync(Mode);

        var error = await Assert.ThrowsAsync<JobSerializationException>(async () => await h.Pool.DispatchAsync<UnserializableOutputJob, int, TypeHolder>(1));

        Assert.Equal(SerializationDirection.Output, error.Direction);
        Assert.Equal(typeof(TypeHolder).FullName, error.TypeName);
        Assert.Equal(42, await h.Pool.DispatchAsync<AddOneJob, int, int>(41));
    }

}

public sealed class InProcByReferenceContractTests : TransportContractTests
{
    protected override InProcPayloadMode Mode => InProcPayloadMode.ByReference;

    [Fact]
    public async Task DispatchAsync_UnserializableTypes_PassByReference()
    {
        await using PoolHarness h = await PoolHarness.StartAsync(Mode);

        TypeHolder output = await h.Pool.DispatchAsync<UnserializableOutputJob, int, TypeHolder>(1);

        Assert.Equal(typeof(int), output.Held);
    }
}

public sealed class InProcThreadPoolSerializedContractTests : TransportContractTests
{
    protected override InProcPayloadMode Mode => InProcPayloadMode.Serialized;

    protected override InProcThreading Threading => InProcThreading.ThreadPool;
}

public sealed class InProcThreadPoolByReferenceContractTests : TransportContractTests
{
    protected override InProcPayloadMode Mode => InProcPayloadMode.ByReference;

    protected override InProcThreading Threading => InProcThreading.ThreadPool;
}
