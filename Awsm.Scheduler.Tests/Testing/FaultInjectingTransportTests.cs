using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Testing;

/// <summary>
/// The decorator on its own, over a transport that only records and a writer that accepts everything: what passes, what
/// is held, what a dead incarnation may never deliver. Everything here happens on the test's thread, in order.
/// </summary>
public sealed class FaultInjectingTransportTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private static readonly JobPayload Payload = JobPayload.FromBytes(new byte[] { 7 });

    [Fact]
    public async Task Send_NoFaults_PassesEveryEnvelopeAndEventThrough()
    {
        await using Setup s = await Setup.StartAsync();

        s.Faults.Send(0, WorkerMessage.Job(new JobId(1), "job", Payload));
        s.Inner.Emit(WorkerEvent.Ready(1));
        s.Inner.Emit(WorkerEvent.Result(0, new JobId(1), Payload));

        Assert.Contains("job 1 to 0", s.Inner.Calls);
        Assert.Equal([(1, WorkerEventKind.Ready, 1), (1, WorkerEventKind.Result, 0)], s.Written);
    }

    [Fact]
    public async Task InitializeAsync_Decorated_InnerTransportWritesToTheDecoratorNotThePool()
    {
        await using Setup s = await Setup.StartAsync();

        Assert.NotSame(s.Pool, s.Inner.Context!.Writer);
        Assert.Equal("faults", s.Inner.Context.PoolName);
    }

    [Fact]
    public async Task HoldReplies_TwoWorkers_ReleasedInOrderWithTheirIncarnations()
    {
        await using Setup s = await Setup.StartAsync();
        s.Faults.HoldReplies();

        s.Inner.Emit(WorkerEvent.Result(0, new JobId(1), Payload));
        s.Inner.Emit(WorkerEvent.Result(1, new JobId(2), Payload));
        await s.Faults.WhenRepliesHeldAsync(2).WaitAsync(Guard);
        Assert.Empty(s.Written);

        s.Faults.ReleaseReplies();

        Assert.Equal([new JobId(1), new JobId(2)], s.Pool.Written.Select(w => w.Event.JobId));
        Assert.Equal(0, s.Faults.HeldReplyCount);
    }

    [Fact]
    public async Task ReleaseReplies_WorkerCrashedMeanwhile_DropsItsRepliesAndKeepsOthers()
    {
        await using Setup s = await Setup.StartAsync();
        s.Faults.HoldReplies();
        s.Inner.Emit(WorkerEvent.Result(0, new JobId(1), Payload));
        s.Inner.Emit(WorkerEvent.Result(1, new JobId(2), Payload));

        Assert.True(s.Faults.Crash(0, "gone"));
        s.Faults.ReleaseReplies();

        Assert.Equal([(1, WorkerEventKind.Crashed, 0), (1, WorkerEventKind.Result, 1)], s.Written);
        Assert.Equal("gone", s.Pool.Written[0].Event.Message);
        Assert.Contains("terminate 0", s.Inner.Calls);
    }

    [Fact]
    public async Task Crash_ThenTheDeadIncarnationSpeaks_NothingIsDeliveredUntilTheRestart()
    {
        await using Setup s = await Setup.StartAsync();
        s.Faults.Crash(0);

        Assert.False(s.Inner.Emit(WorkerEvent.Result(0, new JobId(1), Payload)));
        Assert.False(s.Inner.Emit(WorkerEvent.Crashed(0, "the inner transport's own report")));
        Assert.Equal([(1, WorkerEventKind.Crashed, 0)], s.Written);

        await s.Faults.StartWorkerAsync(0, 2, CancellationToken.None);
        Assert.True(s.Inner.Emit(WorkerEvent.Ready(0)));
        Assert.Equal((2, WorkerEventKind.Ready, 0), s.Written[^1]);
    }

    [Fact]
    public async Task Crash_WorkerNotRunning_ReturnsFalseAndReportsNothing()
    {
        await using Setup s = await Setup.StartAsync();
        Assert.True(s.Faults.Crash(0));

        Assert.False(s.Faults.Crash(0));

        Assert.Equal([(1, WorkerEventKind.Crashed, 0)], s.Written);
    }

    [Fact]
    public async Task ReleaseJobs_WorkerRestartedMeanwhile_TheOldIncarnationsJobsAreDropped()
    {
        await using Setup s = await Setup.StartAsync();
        s.Faults.HoldJobs();
        s.Faults.Send(0, WorkerMessage.Job(new JobId(1), "job", Payload));
        s.Faults.Send(1, WorkerMessage.Job(new JobId(2), "job", Payload));
        s.Faults.Send(0, WorkerMessage.Cancel(new JobId(1)));
        Assert.Equal(2, s.Faults.HeldMessageCount);

        await s.Faults.StartWorkerAsync(0, 2, CancellationToken.None);
        s.Faults.ReleaseJobs();

        Assert.DoesNotContain("job 1 to 0", s.Inner.Calls);
        Assert.Contains("job 2 to 1", s.Inner.Calls);
        Assert.Contains("cancel 1 to 0", s.Inner.Calls);
    }

    [Fact]
    public async Task PauseResume_HoldsJobsAndCancelsInOrder()
    {
        await using Setup s = await Setup.StartAsync();
        s.Faults.Pause(1);
        s.Faults.Send(1, WorkerMessage.Job(new JobId(5), "job", Payload));
        s.Faults.Send(1, WorkerMessage.Cancel(new JobId(5)));
        s.Faults.Send(0, WorkerMessage.Job(new JobId(6), "job", Payload));
        await s.Faults.WhenMessagesHeldAsync(2).WaitAsync(Guard);
        Assert.DoesNotContain(s.Inner.Calls, c => c.EndsWith("to 1", StringComparison.Ordinal));

        s.Faults.Resume(1);

        Assert.Equal(["job 5 to 1", "cancel 5 to 1"], s.Inner.Calls.Where(c => c.EndsWith("to 1", StringComparison.Ordinal)));
        Assert.Contains("job 6 to 0", s.Inner.Calls);
    }

    [Fact]
    public async Task CrashOnNextJob_TheJobNeverReachesTheWorkerAndTheCrashIsReported()
    {
        await using Setup s = await Setup.StartAsync();
        s.Faults.CrashOnNextJob(1);

        s.Faults.Send(1, WorkerMessage.Cancel(new JobId(3)));
        s.Faults.Send(1, WorkerMessage.Job(new JobId(4), "job", Payload));
        s.Faults.Send(1, WorkerMessage.Job(new JobId(5), "job", Payload));

        (int incarnation, WorkerEvent crash) = Assert.Single(s.Pool.Written);
        Assert.Equal((1, WorkerEventKind.Crashed, 1), (incarnation, crash.Kind, crash.WorkerIndex));
        Assert.Contains("job 4", crash.Message);
        Assert.DoesNotContain("job 4 to 1", s.Inner.Calls);
        Assert.Contains("terminate 1", s.Inner.Calls);
        Assert.Contains("cancel 3 to 1", s.Inner.Calls);
    }

    [Fact]
    public async Task FailNextStarts_ReportsInitErrorWithoutAskingTheInnerTransport()
    {
        await using Setup s = await Setup.StartAsync(beforeStart: f => f.FailNextStarts(1, count: 1, reason: "no GPU"));

        (int incarnation, WorkerEvent failed) = Assert.Single(s.Pool.Written);

        Assert.Equal((1, WorkerEventKind.InitError, 1, "no GPU"), (incarnation, failed.Kind, failed.WorkerIndex, failed.Message));
        Assert.DoesNotContain("start 1", s.Inner.Calls);
        Assert.Equal(1, s.Faults.StartCount(1));
        await s.Faults.StartWorkerAsync(1, 2, CancellationToken.None);
        Assert.Contains("start 1", s.Inner.Calls);
        Assert.Equal(2, s.Faults.StartCount(1));
    }

    [Fact]
    public async Task HoldStarts_ReadyOfADeadIncarnation_IsNeverReleased()
    {
        await using Setup s = await Setup.StartAsync(beforeStart: f => f.HoldStarts(0));
        s.Inner.Emit(WorkerEvent.Ready(0));
        s.Inner.Emit(WorkerEvent.Ready(1));
        Assert.Equal([(1, WorkerEventKind.Ready, 1)], s.Written);

        s.Faults.Crash(0);
        await s.Faults.StartWorkerAsync(0, 2, CancellationToken.None);
        s.Faults.ReleaseStarts(0);

        // The held ready of the first incarnation was dropped: only its crash came through.
        Assert.Equal([(1, WorkerEventKind.Ready, 1), (1, WorkerEventKind.Crashed, 0)], s.Written);
        s.Inner.Emit(WorkerEvent.Ready(0));
        Assert.Equal((2, WorkerEventKind.Ready, 0), s.Written[^1]);
    }

    [Fact]
    public async Task WhenReadyHeldAsync_HeldStart_CompletesOnceItsReadyIsHeldAndNotBefore()
    {
        await using Setup s = await Setup.StartAsync(beforeStart: f => f.HoldStarts(0));
        Task held = s.Faults.WhenReadyHeldAsync(0);
        s.Inner.Emit(WorkerEvent.Ready(1));
        Assert.False(held.IsCompleted);

        s.Inner.Emit(WorkerEvent.Ready(0));

        await held.WaitAsync(Guard);
        Assert.True(s.Faults.WhenReadyHeldAsync(0).IsCompleted, "a ready already held completes the wait at once");
        await s.Faults.StartWorkerAsync(0, 2, CancellationToken.None);
        Assert.False(s.Faults.WhenReadyHeldAsync(0).IsCompleted, "a new incarnation has not reported ready yet");
        s.Faults.ReleaseStarts(0);
        s.Inner.Emit(WorkerEvent.Ready(0));
        Assert.Equal([(1, WorkerEventKind.Ready, 1), (2, WorkerEventKind.Ready, 0)], s.Written);
    }

    [Fact]
    public async Task DisposeAsync_WithHeldTraffic_ReleasesNothingAndDisposesTheInnerTransport()
    {
        Setup s = await Setup.StartAsync();
        s.Faults.HoldJobs();
        s.Faults.HoldReplies();
        s.Faults.Send(0, WorkerMessage.Job(new JobId(1), "job", Payload));
        s.Inner.Emit(WorkerEvent.Result(0, new JobId(9), Payload));
        Task waiting = s.Faults.WhenMessagesHeldAsync(5);

        await s.DisposeAsync();

        Assert.True(s.Inner.Disposed);
        Assert.DoesNotContain("job 1 to 0", s.Inner.Calls);
        Assert.Empty(s.Written);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Guard));
        Assert.Throws<TransportException>(() => s.Faults.Send(0, WorkerMessage.Job(new JobId(2), "job", Payload)));
        Assert.False(s.Inner.Emit(WorkerEvent.Result(0, new JobId(3), Payload)));
    }

    /// <summary>A decorator over a recording transport, initialized as a pool of two workers would, both started as incarnation 1.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private Setup()
        {
            Faults = new FaultInjectingTransport(Inner);
        }

        public RecordingTransport Inner { get; } = new();

        public RecordingWriter Pool { get; } = new();

        public FaultInjectingTransport Faults { get; }

        /// <summary>Gets what reached the pool's writer: (incarnation, kind, worker).</summary>
        public IReadOnlyList<(int, WorkerEventKind, int)> Written => [.. Pool.Written.Select(w => (w.Incarnation, w.Event.Kind, w.Event.WorkerIndex))];

        public static async Task<Setup> StartAsync(Action<FaultInjectingTransport>? beforeStart = null)
        {
            var s = new Setup();
            beforeStart?.Invoke(s.Faults);
            var context = new WorkerTransportContext("faults", 2, new JobRegistry(), new FakeTimeProvider(), NullLoggerFactory.Instance, null)
            {
                Writer = s.Pool,
            };
            await s.Faults.InitializeAsync(context, CancellationToken.None);
            await s.Faults.StartWorkerAsync(0, 1, CancellationToken.None);
            await s.Faults.StartWorkerAsync(1, 1, CancellationToken.None);
            return s;
        }

        public ValueTask DisposeAsync() => Faults.DisposeAsync();
    }
}
