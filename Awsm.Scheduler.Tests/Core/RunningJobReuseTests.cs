using Awsm.Scheduler.Internal;
using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Tests.Reliability;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Core;

/// <summary>
/// The worker runtime reuses one <see cref="RunningJob"/> for the jobs that run synchronously, one after another
/// (issue "Performance", round 2). Whatever still holds the instance after its job ended (a late cancel, a context the
/// job left behind) must never reach the job that runs on it now. Each test races one of those paths against the reuse.
/// </summary>
[Collection(ReliabilityStorms.Name)]
public sealed class RunningJobReuseTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RequestCancel_LateCancelOfThePreviousJobRacesTheReset_OnlyTheCancelOfTheNextJobFiresItsToken(bool previousReadItsToken)
    {
        const int rounds = 3_000;
        var job = new RunningJob();
        for (int i = 0; i < rounds; i++)
        {
            var previous = new JobId((2 * i) + 1);
            var next = new JobId((2 * i) + 2);
            job.Reset(previous);
            if (previousReadItsToken)
            {
                // The previous job made its source: the late cancel then finds a source, made for the previous job.
                _ = job.TokenFor(previous);
            }

            CancellationToken nextToken = default;
            bool cancelNext = i % 2 == 0;
            using var start = new Barrier(3);
            using var nextStarted = new ManualResetEventSlim();
            var lateCanceler = new Thread(() =>
            {
                start.SignalAndWait();
                job.RequestCancel(previous);
            });
            var nextCanceler = new Thread(() =>
            {
                start.SignalAndWait();
                if (cancelNext)
                {
                    // A cancel is for a job that runs (the runtime looks the id up first): it races the first token read.
                    Assert.True(nextStarted.Wait(HangGuard));
                    job.RequestCancel(next);
                }
            });
            lateCanceler.Start();
            nextCanceler.Start();

            // The runtime's side: the previous job ends, the next one starts on the same instance and reads its token,
            // while the late cancel (and, every other round, the next job's own cancel) arrives.
            start.SignalAndWait();
            job.Finish();
            job.Reset(next);
            nextStarted.Set();
            nextToken = job.TokenFor(next);
            Assert.True(lateCanceler.Join(HangGuard));
            Assert.True(nextCanceler.Join(HangGuard));

            if (cancelNext)
            {
                Assert.True(job.IsCancellationRequested, $"round {i}: the next job's cancel was lost");
                Assert.True(nextToken.WaitHandle.WaitOne(HangGuard), $"round {i}: the next job's cancel never fired its token");
            }
            else
            {
                Assert.False(job.IsCancellationRequested, $"round {i}: the previous job's late cancel marked the next job canceled");
                Assert.False(nextToken.IsCancellationRequested, $"round {i}: the previous job's late cancel fired the next job's token");
            }

            // A context the previous job left behind gets a token that says its job is over, never the next job's.
            Assert.True(job.TokenFor(previous).IsCancellationRequested);
            Assert.NotEqual(nextToken, job.TokenFor(previous));
            job.Finish();
        }
    }

    [Fact]
    public void TokenFor_LateReaderOfThePreviousJobRacesTheNextJobsFirstRead_NextJobGetsItsOwnToken()
    {
        const int rounds = 3_000;
        var job = new RunningJob();
        for (int i = 0; i < rounds; i++)
        {
            var previous = new JobId((2 * i) + 1);
            var next = new JobId((2 * i) + 2);
            job.Reset(previous);

            CancellationToken lateToken = default;
            using var start = new Barrier(2);
            var lateReader = new Thread(() =>
            {
                start.SignalAndWait();
                lateToken = job.TokenFor(previous);
            });
            lateReader.Start();
            start.SignalAndWait();
            job.Finish();
            job.Reset(next);
            Assert.True(lateReader.Join(HangGuard));

            // Whatever the late reader published, the next job's token is its own: its cancel fires it, and the late
            // reader's token is not it.
            CancellationToken nextToken = job.TokenFor(next);
            Assert.False(nextToken.IsCancellationRequested, $"round {i}: the next job started canceled");
            Assert.NotEqual(lateToken, nextToken);
            job.RequestCancel(next);
            Assert.True(nextToken.WaitHandle.WaitOne(HangGuard), $"round {i}: the next job's cancel did not fire its token");
            job.Finish();
        }
    }

    [Fact]
    public void TokenFor_ReadAfterItsJobFinishedBeforeTheInstanceIsReused_ReturnsACanceledTokenInsteadOfThrowing()
    {
        // The race test above once crashed its reader thread with an ObjectDisposedException: a read between Finish
        // (which disposes the source) and the next Reset found the disposed source. On an idle worker that is no race.
        var job = new RunningJob(new JobId(1));
        Assert.False(job.TokenFor(new JobId(1)).IsCancellationRequested);
        job.Finish();

        Assert.True(job.TokenFor(new JobId(1)).IsCancellationRequested);
    }

    [Fact]
    public async Task Handle_ContextOfAnAsynchronousJobReadAfterItsReply_ItsTokenIsCanceledInsteadOfThrowing()
    {
        var registry = new JobRegistry().Add<LeftBehindJob, int, int>(Int32(), Int32());
        var replied = new TaskCompletionSource<WorkerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runtime = new WorkerJobRuntime(registry, 0, e => replied.TrySetResult(e));

        runtime.Handle(WorkerMessage.Job(new JobId(7), LeftBehindJob.Name, JobPayload.FromValue(7)));
        LeftBehindJob.Release.SetResult();
        Assert.Equal(WorkerEventKind.Result, (await replied.Task.WaitAsync(HangGuard)).Kind);

        // The job went asynchronous, so it kept its instance; it has ended and nothing runs on the worker. Code it left
        // behind, holding its context, reads a token that says the job is over, and the read does not throw.
        Assert.Equal(0, runtime.RunningJobs);
        Assert.True(LeftBehindJob.Context.CancellationToken.IsCancellationRequested);
    }

    [Fact]
    public void Handle_ContextOutlivesItsSynchronousJob_ItsTokenIsCanceledAndTheNextJobsIsNot()
    {
        var registry = new JobRegistry().Add<StashingJob, int, int>(Int32(), Int32());
        var replies = new List<WorkerEvent>();
        var runtime = new WorkerJobRuntime(registry, 0, e =>
        {
            lock (replies)
            {
                replies.Add(e);
            }
        });

        runtime.Handle(WorkerMessage.Job(new JobId(1), StashingJob.Name, JobPayload.FromValue(1)));
        JobContext first = StashingJob.Last;
        runtime.Handle(WorkerMessage.Job(new JobId(2), StashingJob.Name, JobPayload.FromValue(2)));
        JobContext second = StashingJob.Last;

        // Job 1 ended; job 2 ran on the same instance. A late read through job 1's context sees its job is over.
        Assert.True(first.CancellationToken.IsCancellationRequested);
        Assert.False(StashingJob.SawCancellation);

        // A late cancel of job 1 does not reach what job 2's context (or a job 3 on the same instance) sees.
        runtime.Cancel(new JobId(1));
        runtime.Handle(WorkerMessage.Job(new JobId(3), StashingJob.Name, JobPayload.FromValue(3)));
        Assert.False(StashingJob.SawCancellation);
        Assert.True(second.CancellationToken.IsCancellationRequested);
        lock (replies)
        {
            Assert.Equal(new long[] { 1, 2, 3 }, replies.Select(r => r.JobId.Value));
            Assert.All(replies, r => Assert.Equal(WorkerEventKind.Result, r.Kind));
        }
    }

    [Fact]
    public void Handle_ManySynchronousJobsWhileLateCancelsArrive_NoJobThatWasNotCanceledSeesCancellation()
    {
        const int jobs = 20_000;
        var registry = new JobRegistry().Add<TokenCheckingJob, int, int>(Int32(), Int32());
        long wronglyCanceled = 0;
        long canceledReplies = 0;
        long replies = 0;
        long lastEnded = 0;
        var runtime = new WorkerJobRuntime(registry, 0, e =>
        {
            Interlocked.Increment(ref replies);
            if (e.Kind == WorkerEventKind.Error && e.ErrorKind == JobErrorKind.Canceled)
            {
                Interlocked.Increment(ref canceledReplies);
                if (e.JobId.Value % 4 != 0)
                {
                    // Only every fourth job is ever the target of a cancel while it runs.
                    Interlocked.Increment(ref wronglyCanceled);
                }
            }
            else if (e.Kind != WorkerEventKind.Result)
            {
                Interlocked.Increment(ref wronglyCanceled);
            }

            Volatile.Write(ref lastEnded, e.JobId.Value);
        });

        using var done = new CancellationTokenSource();
        var lateCancels = new Thread(() =>
        {
            // Cancels every job that already ended, as fast as it can: each lands on the instance the next job uses.
            while (!done.IsCancellationRequested)
            {
                long ended = Volatile.Read(ref lastEnded);
                if (ended > 0)
                {
                    runtime.Cancel(new JobId(ended));
                }
            }
        })
        { IsBackground = true };
        var liveCancels = new Thread(() =>
        {
            // Cancels the job that (probably) runs now when its id is a multiple of 4: those may end canceled.
            while (!done.IsCancellationRequested)
            {
                long candidate = (Volatile.Read(ref lastEnded) + 4) & ~3L;
                runtime.Cancel(new JobId(candidate));
            }
        })
        { IsBackground = true };
        lateCancels.Start();
        liveCancels.Start();
        try
        {
            for (int i = 1; i <= jobs; i++)
            {
                runtime.Handle(WorkerMessage.Job(new JobId(i), TokenCheckingJob.Name, JobPayload.FromValue(i)));
            }
        }
        finally
        {
            done.Cancel();
            Assert.True(lateCancels.Join(HangGuard));
            Assert.True(liveCancels.Join(HangGuard));
        }

        Assert.Equal(jobs, Interlocked.Read(ref replies));
        Assert.Equal(0, Interlocked.Read(ref wronglyCanceled));
        Assert.Equal(0, runtime.RunningJobs);
    }

    private static JobCodec<int> Int32() => JobCodecs.Json(TestJsonContext.Default.Int32);

    /// <summary>Keeps its context (a task left behind would), and tells whether its token was canceled when it ran.</summary>
    private sealed class StashingJob : IWorkerJob<int, int>
    {
        public static JobContext Last { get; private set; }

        public static bool SawCancellation { get; private set; }

        public static string Name => "reuse.stashing";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            Last = context;
            SawCancellation = context.CancellationToken.IsCancellationRequested;
            return ValueTask.FromResult(input);
        }
    }

    /// <summary>Reads its token (creating its source), keeps its context (a task left behind would), and waits to be released.</summary>
    private sealed class LeftBehindJob : IWorkerJob<int, int>
    {
        public static readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static JobContext Context { get; private set; }

        public static string Name => "reuse.left-behind";

        public static async ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            Context = context;
            _ = context.CancellationToken;
            await Release.Task;
            return input;
        }
    }

    /// <summary>Reads its token (creating its source), spins a little so cancels can land, and throws if it was canceled.</summary>
    private sealed class TokenCheckingJob : IWorkerJob<int, int>
    {
        public static string Name => "reuse.token-checking";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            CancellationToken token = context.CancellationToken;
            Thread.SpinWait(50);

            // The source fires on the thread pool: the flag read through the token is what a polling job sees, and the
            // runtime's own flag decides whether the error is reported as canceled.
            token.ThrowIfCancellationRequested();
            if (input % 4 == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            return ValueTask.FromResult(input);
        }
    }
}
