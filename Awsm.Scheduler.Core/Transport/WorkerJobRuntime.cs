using System.Collections.Concurrent;
using System.Diagnostics;

namespace Awsm.Scheduler.Transport;

/// <summary>
/// The worker side of every transport: looks the job up in the worker's registry, decodes the input, runs the job with
/// a cancellation token of its own, encodes the output and replies with a <c>result</c> or an <c>error</c>. A job runs
/// the same way on a thread and in a browser because every transport hosts this one runtime.
/// </summary>
/// <remarks>
/// <see cref="Handle"/> runs a job synchronously up to its first <c>await</c>, like an event loop: a transport calls it
/// from the worker's own thread. Replies of asynchronous jobs are sent from wherever their continuation runs, so the
/// reply callback must be thread-safe. Cancellation may be handled from any thread.
/// </remarks>
public sealed class WorkerJobRuntime
{
    /// <summary>The name of the <see cref="ActivitySource"/> used for worker-side spans.</summary>
    public const string ActivitySourceName = "Awsm.Scheduler";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    private readonly JobRegistry _registry;
    private readonly int _workerIndex;
    private readonly Action<WorkerEvent> _reply;
    private readonly IServiceProvider? _services;
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _running = new();

    /// <summary>Creates the runtime for one worker.</summary>
    /// <param name="registry">The worker's job registry.</param>
    /// <param name="workerIndex">The worker's index, offered to jobs through <see cref="JobContext.WorkerIndex"/>.</param>
    /// <param name="reply">Sends a <see cref="WorkerEventKind.Result"/> or <see cref="WorkerEventKind.Error"/> back to the host; must be thread-safe.</param>
    /// <param name="services">The worker's services, offered to jobs through <see cref="JobContext.Services"/>.</param>
    public WorkerJobRuntime(JobRegistry registry, int workerIndex, Action<WorkerEvent> reply, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(reply);
        _registry = registry;
        _workerIndex = workerIndex;
        _reply = reply;
        _services = services;
    }

    /// <summary>Gets how many jobs are running on this worker (started and not yet replied).</summary>
    public int RunningJobs => _running.Count;

    /// <summary>Handles an envelope from the host.</summary>
    /// <param name="message">The envelope.</param>
    public void Handle(in WorkerMessage message)
    {
        switch (message.Kind)
        {
            case WorkerMessageKind.Job:
                Run(message);
                break;
            case WorkerMessageKind.Cancel:
                Cancel(message.JobId);
                break;
        }
    }

    /// <summary>Fires the cancellation token of a running job; does nothing if the job is not running.</summary>
    /// <param name="jobId">The job.</param>
    public void Cancel(JobId jobId)
    {
        if (_running.TryGetValue(jobId.Value, out CancellationTokenSource? cts))
        {
            try
            {
                // Asynchronously: cancellation callbacks (the job's continuations among them) must not run on the
                // thread that delivered the cancel envelope, which may be the host's router or a timer.
                _ = cts.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The job finished between the lookup and the cancel: nothing left to cancel.
            }
        }
    }

    /// <summary>Fires the cancellation token of every running job (the worker is going away).</summary>
    public void CancelAll()
    {
        foreach (KeyValuePair<long, CancellationTokenSource> running in _running)
        {
            Cancel(new JobId(running.Key));
        }
    }

    private void Run(in WorkerMessage message)
    {
        JobId id = message.JobId;
        if (!_registry.TryGet(message.JobName!, out JobDescriptor? descriptor))
        {
            _reply(WorkerEvent.Error(_workerIndex, id, JobErrorKind.UnknownJob, message.JobName!, $"The worker's registry has no job named '{message.JobName}'. Register it on the worker side too.", null));
            return;
        }

        var cts = new CancellationTokenSource();
        if (!_running.TryAdd(id.Value, cts))
        {
            cts.Dispose();
            _reply(WorkerEvent.Error(_workerIndex, id, JobErrorKind.JobFailed, typeof(InvalidOperationException).FullName!, $"Job id {id} is already running on this worker.", null));
            return;
        }

        Activity? callerActivity = Activity.Current;
        Activity? activity = StartActivity(message, descriptor.Name);
        ValueTask<JobPayload> execution;
        try
        {
            execution = descriptor.RunAsync(message.Payload, new JobContext(id, _workerIndex, cts.Token, _services));
        }
        catch (Exception ex)
        {
            // Input decoding, or a job that threw before returning its task. The error is built before Finish
            // disposes the token source it inspects.
            WorkerEvent error = ToError(id, ex, cts.Token);
            Finish(id, cts, activity);
            _reply(error);
            return;
        }

        if (execution.IsCompleted)
        {
            Complete(id, cts, activity, execution);
        }
        else
        {
            _ = AwaitAsync(id, cts, activity, execution);

            // The job's span lives on in its continuation; this thread goes back to what it was doing.
            Activity.Current = callerActivity;
        }
    }

    private async Task AwaitAsync(JobId id, CancellationTokenSource cts, Activity? activity, ValueTask<JobPayload> execution)
    {
        WorkerEvent reply;
        try
        {
            reply = WorkerEvent.Result(_workerIndex, id, await execution.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            reply = ToError(id, ex, cts.Token);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }

        Finish(id, cts, activity);
        _reply(reply);
    }

    private void Complete(JobId id, CancellationTokenSource cts, Activity? activity, ValueTask<JobPayload> execution)
    {
        WorkerEvent reply;
        try
        {
            reply = WorkerEvent.Result(_workerIndex, id, execution.Result);
        }
        catch (Exception ex)
        {
            reply = ToError(id, ex, cts.Token);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }

        Finish(id, cts, activity);
        _reply(reply);
    }

    private void Finish(JobId id, CancellationTokenSource cts, Activity? activity)
    {
        _running.TryRemove(id.Value, out _);
        cts.Dispose();
        activity?.Stop();
    }

    private WorkerEvent ToError(JobId id, Exception ex, CancellationToken jobToken) => ex switch
    {
        CodecFailureException codec => WorkerEvent.Error(
            _workerIndex,
            id,
            codec.Direction == SerializationDirection.Input ? JobErrorKind.InputSerialization : JobErrorKind.OutputSerialization,
            codec.Type.FullName!,
            codec.Message,
            null),
        OperationCanceledException when jobToken.IsCancellationRequested => WorkerEvent.Error(
            _workerIndex, id, JobErrorKind.Canceled, ex.GetType().FullName!, ex.Message, null),
        _ => WorkerEvent.Error(_workerIndex, id, JobErrorKind.JobFailed, ex.GetType().FullName!, ex.Message, ex.StackTrace),
    };

    private static Activity? StartActivity(in WorkerMessage message, string jobName)
    {
        if (message.TraceParent is null)
        {
            return null;
        }

        ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out ActivityContext parent);
        Activity? activity = Source.StartActivity("awsm.job.execute", ActivityKind.Consumer, parent);
        if (activity is null)
        {
            // Nobody listens to our source, but spans the job creates with its own sources must still join the
            // caller's trace: an unsampled local activity carries the context as Activity.Current.
            activity = new Activity("awsm.job.execute");
            activity.SetParentId(message.TraceParent);
            if (message.TraceState is not null)
            {
                activity.TraceStateString = message.TraceState;
            }

            activity.Start();
        }

        activity.SetTag("awsm.job.name", jobName);
        activity.SetTag("awsm.job.id", message.JobId.ToString());
        return activity;
    }
}
