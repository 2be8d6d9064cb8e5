using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Core;

/// <summary>
/// A cancel that reaches a worker before its job starts (the job still waits in the worker's inbox) used to find
/// nothing running and be lost: the job then ran anyway, the caller released but the CPU not. The job never starts now.
/// </summary>
public sealed class EarlyCancelTests
{
    [Fact]
    public void Handle_CancelArrivedBeforeItsJob_JobNeverStartsAndEndsCanceled()
    {
        var runs = new RunCounter();
        var replies = new List<WorkerEvent>();
        var runtime = new WorkerJobRuntime(Registry(), 0, replies.Add);
        CountingJob.Counter = runs;

        runtime.Cancel(new JobId(42));
        runtime.Handle(WorkerMessage.Job(new JobId(42), CountingJob.Name, JobPayload.FromValue(1)));

        Assert.Equal(0, runs.Count);
        WorkerEvent reply = Assert.Single(replies);
        Assert.Equal((WorkerEventKind.Error, JobErrorKind.Canceled, new JobId(42)), (reply.Kind, reply.ErrorKind, reply.JobId));
        Assert.Equal(0, runtime.RunningJobs);
    }

    [Fact]
    public void Handle_CancelOfAnotherJob_JobRunsAndTheEarlyCancelWaitsForItsOwn()
    {
        var runs = new RunCounter();
        var replies = new List<WorkerEvent>();
        var runtime = new WorkerJobRuntime(Registry(), 0, replies.Add);
        CountingJob.Counter = runs;

        runtime.Cancel(new JobId(8));
        runtime.Handle(WorkerMessage.Job(new JobId(7), CountingJob.Name, JobPayload.FromValue(1)));
        runtime.Handle(WorkerMessage.Job(new JobId(8), CountingJob.Name, JobPayload.FromValue(1)));

        Assert.Equal(1, runs.Count);
        Assert.Equal([(WorkerEventKind.Result, new JobId(7)), (WorkerEventKind.Error, new JobId(8))], replies.Select(r => (r.Kind, r.JobId)));
    }

    [Fact]
    public void Cancel_MoreEarlyCancelsThanItKeeps_TheOldestIsForgottenAndTheRecentOnesStillHold()
    {
        var runs = new RunCounter();
        var replies = new List<WorkerEvent>();
        var runtime = new WorkerJobRuntime(Registry(), 0, replies.Add);
        CountingJob.Counter = runs;

        // Cancels of jobs that already ended elsewhere pile up: the memory of them is bounded.
        for (int i = 1; i <= 100; i++)
        {
            runtime.Cancel(new JobId(i));
        }

        runtime.Handle(WorkerMessage.Job(new JobId(1), CountingJob.Name, JobPayload.FromValue(1)));
        runtime.Handle(WorkerMessage.Job(new JobId(100), CountingJob.Name, JobPayload.FromValue(1)));

        Assert.Equal(1, runs.Count);
        Assert.Equal([WorkerEventKind.Result, WorkerEventKind.Error], replies.Select(r => r.Kind));
    }

    private static JobRegistry Registry() =>
        new JobRegistry().Add<CountingJob, int, int>(JobCodecs.Json(TestJsonContext.Default.Int32), JobCodecs.Json(TestJsonContext.Default.Int32));

    private sealed class RunCounter
    {
        public int Count;
    }

    private sealed class CountingJob : IWorkerJob<int, int>
    {
        public static RunCounter? Counter { get; set; }

        public static string Name => "early-cancel.counting";

        public static ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            Interlocked.Increment(ref Counter!.Count);
            return ValueTask.FromResult(input);
        }
    }
}
