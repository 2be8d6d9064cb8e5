using Awsm.Scheduler.InProc;
using Awsm.Scheduler.InProc.Internal;
using Awsm.Scheduler.Internal;
using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Tests.Reliability;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Awsm.Scheduler.Tests.Core;

/// <summary>
/// The cheaper per-job path (issue "Performance"): a job's token source exists only once the job reads its token, a
/// synchronous job is tracked outside the running map, and an adaptive InProc worker moves to a thread of its own after
/// a long job. Each test tries to break one of the guarantees that path must keep.
/// </summary>
[Collection(ReliabilityStorms.Name)]
public sealed class LeanDispatchPathTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Cancel_SynchronousJobPollsItsToken_TokenFiresAndJobEndsCanceled()
    {
        var registry = new JobRegistry().Add<PollingJob, int, int>(Int32(), Int32());
        var reply = new TaskCompletionSource<WorkerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runtime = new WorkerJobRuntime(registry, 0, e => reply.TrySetResult(e));
        var running = new PollingJob.Signals();
        PollingJob.Current = running;

        // The job runs synchronously on its own thread, as on a worker thread; the cancel comes from this one.
        var worker = new Thread(() => runtime.Handle(WorkerMessage.Job(new JobId(11), PollingJob.Name, JobPayload.FromValue(1)))) { IsBackground = true };
        worker.Start();
        Assert.True(running.Started.Wait(HangGuard));
        Assert.Equal(1, runtime.RunningJobs);
        runtime.Cancel(new JobId(11));
        WorkerEvent answer = await reply.Task.WaitAsync(HangGuard);

        Assert.Equal((WorkerEventKind.Error, JobErrorKind.Canceled), (answer.Kind, answer.ErrorKind));
        Assert.Equal(0, runtime.RunningJobs);
        Assert.True(worker.Join(HangGuard));
    }

    [Fact]
    public async Task Cancel_ArrivesBeforeTheJobReadsItsToken_TokenIsAlreadyCanceledWhenRead()
    {
        var registry = new JobRegistry().Add<LateReaderJob, int, int>(Int32(), Int32());
        var reply = new TaskCompletionSource<WorkerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runtime = new WorkerJobRuntime(registry, 0, e => reply.TrySetResult(e));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LateReaderJob.Gate = gate;

        runtime.Handle(WorkerMessage.Job(new JobId(12), LateReaderJob.Name, JobPayload.FromValue(1)));
        runtime.Cancel(new JobId(12));
        gate.SetResult();
        WorkerEvent answer = await reply.Task.WaitAsync(HangGuard);

        Assert.Equal((WorkerEventKind.Error, JobErrorKind.Canceled), (answer.Kind, answer.ErrorKind));
        Assert.Equal(0, runtime.RunningJobs);
    }

    [Fact]
    public async Task Cancel_ForAJobThatAlreadyEnded_DoesNotReachTheJobRunningNow()
    {
        var registry = new JobRegistry().Add<PollingJob, int, int>(Int32(), Int32()).Add<EchoJob, int, int>(Int32(), Int32());
        var replies = new TaskCompletionSource<WorkerEvent>[] { new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously) };
        var runtime = new WorkerJobRuntime(registry, 0, e => replies[e.JobId.Value == 21 ? 0 : 1].TrySetResult(e));
        runtime.Handle(WorkerMessage.Job(new JobId(21), EchoJob.Name, JobPayload.FromValue(5)));
        Assert.Equal(WorkerEventKind.Result, (await replies[0].Task.WaitAsync(HangGuard)).Kind);

        var running = new PollingJob.Signals { StopAfterRelease = true };
        PollingJob.Current = running;
        var worker = new Thread(() => runtime.Handle(WorkerMessage.Job(new JobId(22), PollingJob.Name, JobPayload.FromValue(2)))) { IsBackground = true };
        worker.Start();
        Assert.True(running.Started.Wait(HangGuard));

        // The late cancel of job 21 comes while job 22 holds the worker's one synchronous place.
        runtime.Cancel(new JobId(21));
        running.Release.Set();
        WorkerEvent answer = await replies[1].Task.WaitAsync(HangGuard);

        Assert.Equal(WorkerEventKind.Result, answer.Kind);
        Assert.False(running.SawCancellation);
        Assert.True(worker.Join(HangGuard));
    }

    [Fact]
    public void RunningJob_CancelRacesTheFirstTokenRead_TokenAlwaysEndsCanceled()
    {
        const int rounds = 2_000;
        for (int i = 0; i < rounds; i++)
        {
            var id = new JobId(i + 1);
            var job = new RunningJob(id);
            CancellationToken token = default;
            using var start = new Barrier(2);
            var reader = new Thread(() =>
            {
                start.SignalAndWait();
                token = job.TokenFor(id);
            });
            reader.Start();
            start.SignalAndWait();
            job.RequestCancel(id);
            Assert.True(reader.Join(HangGuard));

            // Whichever side went first, the token fires (the cancel itself runs on the thread pool).
            Assert.True(token.WaitHandle.WaitOne(HangGuard), $"round {i}: the token read concurrently with the cancel never fired");
            Assert.True(job.IsCancellationRequested);
            job.Finish();
        }
    }

    [Fact]
    public async Task Adaptive_JobHoldsTheThreadPastTheThreshold_LaterJobsRunOnADedicatedThread()
    {
        var time = new FakeTimeProvider();
        SlowJob.Time = time;
        var inner = new InProcTransport(new InProcTransportOptions { Threading = InProcThreading.Adaptive });
        var registry = new JobRegistry().Add<SlowJob, int, int>(Int32(), Int32());
        await using var pool = new WorkerPool(inner, registry, new WorkerPoolOptions { WorkerCount = 1 }, time);
        await pool.StartAsync();

        bool firstOnPool = 1 == await pool.DispatchAsync<SlowJob, int, int>(0).AsTask().WaitAsync(HangGuard);
        bool slowOnPool = 1 == await pool.DispatchAsync<SlowJob, int, int>((int)InProcWorker.LongJobThreshold.TotalMilliseconds).AsTask().WaitAsync(HangGuard);
        int[] later = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => pool.DispatchAsync<SlowJob, int, int>(0).AsTask())).WaitAsync(HangGuard);

        Assert.True(firstOnPool, "a short job runs on the thread pool");
        Assert.True(slowOnPool, "the long job itself still ran where it started");
        Assert.All(later, onPool => Assert.Equal(0, onPool));
        Assert.Equal(1, inner.LiveWorkerCount);
    }

    [Fact]
    public async Task Adaptive_ShortJobsOnly_WorkerStaysOnTheThreadPool()
    {
        var time = new FakeTimeProvider();
        SlowJob.Time = time;
        var inner = new InProcTransport(new InProcTransportOptions { Threading = InProcThreading.Adaptive });
        var registry = new JobRegistry().Add<SlowJob, int, int>(Int32(), Int32());
        await using var pool = new WorkerPool(inner, registry, new WorkerPoolOptions { WorkerCount = 1 }, time);
        await pool.StartAsync();

        // Just under the threshold, many times: time spent across jobs does not add up to a move.
        int justUnder = (int)InProcWorker.LongJobThreshold.TotalMilliseconds - 1;
        int[] onPool = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => pool.DispatchAsync<SlowJob, int, int>(justUnder).AsTask())).WaitAsync(HangGuard);

        Assert.All(onPool, p => Assert.Equal(1, p));
    }

    private static JobCodec<int> Int32() => JobCodecs.Json(TestJsonContext.Default.Int32);

    private sealed class PollingJob : IWorkerJob<int, int>
    {
        public static Signals? Current { get; set; }

        public static string Name => "lean.polling";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            Signals signals = Current!;
            signals.Started.Set();
            if (signals.StopAfterRelease)
            {
                Assert.True(signals.Release.Wait(HangGuard));
                signals.SawCancellation = context.CancellationToken.IsCancellationRequested;
                return ValueTask.FromResult(input);
            }

            // A CPU-bound job that only polls: the wait is a hang guard, the token is what ends it.
            Assert.True(context.CancellationToken.WaitHandle.WaitOne(HangGuard));
            context.CancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(input);
        }

        public sealed class Signals
        {
            public ManualResetEventSlim Started { get; } = new();

            public ManualResetEventSlim Release { get; } = new();

            public bool StopAfterRelease { get; init; }

            public bool SawCancellation { get; set; }
        }
    }

    private sealed class LateReaderJob : IWorkerJob<int, int>
    {
        public static TaskCompletionSource Gate { get; set; } = new();

        public static string Name => "lean.late-reader";

        public static async ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            await Gate.Task.ConfigureAwait(false);
            context.CancellationToken.ThrowIfCancellationRequested();
            return input;
        }
    }

    private sealed class EchoJob : IWorkerJob<int, int>
    {
        public static string Name => "lean.echo";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context) => ValueTask.FromResult(input);
    }

    /// <summary>Advances the fake clock by its input in milliseconds (as if it ran that long). Returns 1 if it ran on a thread-pool thread.</summary>
    private sealed class SlowJob : IWorkerJob<int, int>
    {
        public static FakeTimeProvider? Time { get; set; }

        public static string Name => "lean.slow";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            if (input > 0)
            {
                Time!.Advance(TimeSpan.FromMilliseconds(input));
            }

            return ValueTask.FromResult(Thread.CurrentThread.IsThreadPoolThread ? 1 : 0);
        }
    }
}
