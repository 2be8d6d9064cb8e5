using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Tests.Reliability;
using Awsm.Scheduler.Tests.Support;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Tests.Core;

/// <summary>
/// Regression: a cancel used to go through a discarded <c>CancellationTokenSource.CancelAsync()</c> task, so a callback
/// on the job's token that threw (or a race with the job's end disposing the source) surfaced as an unobserved task
/// exception, failing unrelated tests on a loaded machine.
/// </summary>
[Collection(ReliabilityStorms.Name)]
public sealed class WorkerJobRuntimeCancelTests
{
    [Fact]
    public async Task Cancel_CallbackOnTheJobTokenThrows_JobEndsCanceledAndNothingIsUnobserved()
    {
        using var unobserved = new UnobservedTaskExceptions();
        var registry = new JobRegistry().Add<CallbackThrowsJob, int, int>(JobCodecs.Json(TestJsonContext.Default.Int32), JobCodecs.Json(TestJsonContext.Default.Int32));
        var reply = new TaskCompletionSource<WorkerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runtime = new WorkerJobRuntime(registry, 0, e => reply.TrySetResult(e));

        runtime.Handle(WorkerMessage.Job(new JobId(7), CallbackThrowsJob.Name, JobPayload.FromValue(1)));
        await CallbackThrowsJob.Running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        runtime.Handle(WorkerMessage.Cancel(new JobId(7)));
        WorkerEvent answer = await reply.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((WorkerEventKind.Error, JobErrorKind.Canceled), (answer.Kind, answer.ErrorKind));
        Assert.Equal(0, runtime.RunningJobs);
        unobserved.AssertNone("a job's token callback that threw during a cancel");
    }

    private sealed class CallbackThrowsJob : IWorkerJob<int, int>
    {
        public static readonly TaskCompletionSource Running = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static string Name => "callback-throws";

        public static async ValueTask<int> ExecuteAsync(int input, JobContext context)
        {
            context.CancellationToken.Register(static () => throw new InvalidOperationException("a callback on the job's token threw"));
            Running.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return input;
        }
    }
}
