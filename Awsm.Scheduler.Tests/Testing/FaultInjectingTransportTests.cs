using System.Threading.Channels;
using Awsm.Scheduler.Testing;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Testing;

/// <summary>
/// The decorator on its own, over a transport that only records: what passes, what is held, what a dead incarnation
/// may never deliver, on both reply paths. Every wait is on an event the test caused, bounded by a hang guard.
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
        s.Inner.Reply(WorkerEvent.Result(0, new JobId(1), Payload));

        Assert.Contains("job 1 to 0", s.Inner.Calls);
        Assert.Equal(WorkerEventKind.Ready, (await s.NextEventAsync()).Kind);
        Assert.Equal(new JobId(1), Assert.Single(s.SinkEvents).JobId);
    }

    [Fact]
    public async Task HoldReplies_ViaSinkAndViaEvents_ReleasedInOrderByThePathTheyCame()
    {
        await using Setup s = await Setup.StartAsync();
        s.Faults.HoldReplies();

        s.Inner.Reply(WorkerEvent.Result(0, new JobId(1), Payload));
        s.Inner.Emit(WorkerEvent.Result(1, new JobId(2), Payload));
        await s.Faults.WhenRepliesHeldAsync(2).WaitAsync(Guard);
        Assert.Empty(s.SinkEvents);

        s.Faults.ReleaseReplies();

        Assert.Equal(new JobId(1), Assert.Single(s.SinkEvents).JobId);
        Assert.Equal(new JobId(2), (await s.NextEventAsync()).JobId);
        Assert.Equal(0, s.Faults.HeldReplyCount);
    }

    [Fact]
    public async Task ReleaseReplies_WorkerCrashedMeanwhile_DropsItsRepliesAndKeepsOthers()
    {
        await using Setup s = await Setup.StartAsync();
        s.Faults.HoldReplies();
        s.Inner.Reply(WorkerEvent.Result(0, new JobId(1), Payload));
        s.Inner.Reply(WorkerEvent.Result(1, new JobId(2), Payload));

        Assert.True(s.Faults.Crash(0, "gone"));
        s.Faults.ReleaseReplies();

        Assert.Equal(new JobId(2), Assert.Single(s.SinkEvents).JobId);
        WorkerEvent crash = await s.NextEventAsync();
        Assert.Equal((WorkerEventKind.Crashed, 0, "gone"), (crash.Kind, crash.WorkerIndex, crash.Message));
        Assert.Contains("terminate 0", s.Inner.Calls);
    }

    [Fact]
    public async Task Crash_ThenTheDeadIncarnationSpeaks_NothingIsDeliveredUntilTheRestart()
    {
        await using Setup s = await Setup.StartAsync();
        s.Faults.Crash(0);
        Assert.Equal(WorkerEventKind.Crashed, (await s.NextEventAsync()).Kind);

        s.Inner.Reply(WorkerEvent.Result(0, new JobId(1), Payload));
        s.Inner.Emit(WorkerEvent.Result(0, new JobId(2), Payload));
        s.Inner.Emit(WorkerEvent.Crashed(0, "the inner transport's own report"));
        s.Inner.Emit(WorkerEvent.Malformed(1, "marker"));

        // Events pass in order: once the marker is out, everything before it was judged (and dropped).
        Assert.Equal((WorkerEventKind.Malformed, 1), await s.NextKindAndWorkerAsync());
        Assert.Empty(s.SinkEvents);
        await s.Faults.StartWorkerAsync(0, 2, CancellationToken.None);
        s.Inner.Emit(WorkerEvent.Ready(0));
        Assert.Equal((WorkerEventKind.Ready, 0), await s.NextKindAndWorkerAsync());
    }

    [Fact]
    public async Task Crash_WorkerNotRunning_ReturnsFalseAndReportsNothing()
    {
        await using Setup s = await Setup.StartAsync();
        Assert.True(s.Faults.Crash(0));

        Assert.False(s.Faults.Crash(0));

        Assert.Equal(WorkerEventKind.Crashed, (await s.NextEventAsync()).Kind);
        Assert.False(s.Events.TryRead(out _));
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

        WorkerEvent crash = await s.NextEventAsync();
        Assert.Equal((WorkerEventKind.Crashed, 1), (crash.Kind, crash.WorkerIndex));
        Assert.Contains("job 4", crash.Message);
        Assert.DoesNotContain("job 4 to 1", s.Inner.Calls);
        Assert.Contains("terminate 1", s.Inner.Calls);
        Assert.Contains("cancel 3 to 1", s.Inner.Calls);
    }

    [Fact]
    public async Task FailNextStarts_ReportsInitErrorWithoutAskingTheInnerTransport()
    {
        await using Setup s = await Setup.StartAsync(beforeStart: f => f.FailNextStarts(1, count: 1, reason: "no GPU"));

        WorkerEvent failed = await s.NextEventAsync();

        Assert.Equal((WorkerEventKind.InitError, 1, "no GPU"), (failed.Kind, failed.WorkerIndex, failed.Message));
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
        Assert.Equal((WorkerEventKind.Ready, 1), await s.NextKindAndWorkerAsync());

        s.Faults.Crash(0);
        Assert.Equal((WorkerEventKind.Crashed, 0), await s.NextKindAndWorkerAsync());
        await s.Faults.StartWorkerAsync(0, 2, CancellationToken.None);
        s.Faults.ReleaseStarts(0);
        s.Faults.InjectEvent(WorkerEvent.Malformed(0, "marker"));

        // Nothing came between the crash and the marker: the held ready of the first incarnation was dropped.
        Assert.Equal((WorkerEventKind.Malformed, 0), await s.NextKindAndWorkerAsync());
        s.Inner.Emit(WorkerEvent.Ready(0));
        Assert.Equal((WorkerEventKind.Ready, 0), await s.NextKindAndWorkerAsync());
    }

    [Fact]
    public async Task WhenReadyHeldAsync_HeldStart_CompletesOnceItsReadyIsHeldAndNotBefore()
    {
        await using Setup s = await Setup.StartAsync(beforeStart: f => f.HoldStarts(0));
        Task held = s.Faults.WhenReadyHeldAsync(0);
        s.Inner.Emit(WorkerEvent.Ready(1));

        // Events pass the decorator in order: worker 1's ready came through, worker 0 has sent none yet.
        Assert.Equal((WorkerEventKind.Ready, 1), await s.NextKindAndWorkerAsync());
        Assert.False(held.IsCompleted);

        s.Inner.Emit(WorkerEvent.Ready(0));

        await held.WaitAsync(Guard);
        Assert.True(s.Faults.WhenReadyHeldAsync(0).IsCompleted, "a ready already held completes the wait at once");
        await s.Faults.StartWorkerAsync(0, 2, CancellationToken.None);
        Assert.False(s.Faults.WhenReadyHeldAsync(0).IsCompleted, "a new incarnation has not reported ready yet");
        s.Faults.ReleaseStarts(0);
        s.Inner.Emit(WorkerEvent.Ready(0));
        Assert.Equal((WorkerEventKind.Ready, 0), await s.NextKindAndWorkerAsync());
    }

    [Fact]
    public async Task DisposeAsync_WithHeldTraffic_ReleasesNothingAndDisposesTheInnerTransport()
    {
        Setup s = await Setup.StartAsync();
        s.Faults.HoldJobs();
        s.Faults.HoldReplies();
        s.Faults.Send(0, WorkerMessage.Job(new JobId(1), "job", Payload));
        s.Inner.Reply(WorkerEvent.Result(0, new JobId(9), Payload));
        Task waiting = s.Faults.WhenMessagesHeldAsync(5);

        await s.DisposeAsync();

        Assert.True(s.Inner.Disposed);
        Assert.DoesNotContain("job 1 to 0", s.Inner.Calls);
        Assert.Empty(s.SinkEvents);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Guard));
        Assert.Throws<TransportException>(() => s.Faults.Send(0, WorkerMessage.Job(new JobId(2), "job", Payload)));
        Assert.False(await s.Events.WaitToReadAsync().AsTask().WaitAsync(Guard));
    }

    [Fact]
    public async Task InitializeAsync_PoolOffersNoSink_InnerTransportGetsNone()
    {
        await using Setup s = await Setup.StartAsync(offerSink: false);

        Assert.Null(s.Inner.Context!.ReplySink);
        s.Inner.Emit(WorkerEvent.Result(0, new JobId(1), Payload));
        Assert.Equal(WorkerEventKind.Result, (await s.NextEventAsync()).Kind);
    }

    /// <summary>A decorator over a recording transport, initialized as a pool of two workers would, both started.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly List<WorkerEvent> _sink = [];

        private Setup()
        {
            Faults = new FaultInjectingTransport(Inner);
        }

        public RecordingTransport Inner { get; } = new();

        public FaultInjectingTransport Faults { get; }

        public ChannelReader<WorkerEvent> Events => Faults.Events;

        public IReadOnlyList<WorkerEvent> SinkEvents
        {
            get
            {
                lock (_sink)
                {
                    return [.. _sink];
                }
            }
        }

        public static async Task<Setup> StartAsync(Action<FaultInjectingTransport>? beforeStart = null, bool offerSink = true)
        {
            var s = new Setup();
            beforeStart?.Invoke(s.Faults);
            var context = new WorkerTransportContext("faults", 2, new JobRegistry(), new FakeTimeProvider(), NullLoggerFactory.Instance, null)
            {
                Writer = new RecordingWriter(),
                ReplySink = offerSink ? s.OnSink : null,
            };
            await s.Faults.InitializeAsync(context, CancellationToken.None);
            await s.Faults.StartWorkerAsync(0, 1, CancellationToken.None);
            await s.Faults.StartWorkerAsync(1, 1, CancellationToken.None);
            return s;
        }

        public async Task<WorkerEvent> NextEventAsync() => await Events.ReadAsync().AsTask().WaitAsync(Guard);

        public async Task<(WorkerEventKind, int)> NextKindAndWorkerAsync()
        {
            WorkerEvent e = await NextEventAsync();
            return (e.Kind, e.WorkerIndex);
        }

        public ValueTask DisposeAsync() => Faults.DisposeAsync();

        private void OnSink(WorkerEvent e)
        {
            lock (_sink)
            {
                _sink.Add(e);
            }
        }
    }
}
