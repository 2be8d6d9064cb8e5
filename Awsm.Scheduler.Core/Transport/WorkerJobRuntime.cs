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
    private readonly JobRegistry _registry;
    private readonly int _workerIndex;
    private readonly Action<WorkerEvent> _reply;
    private readonly IServiceProvider? _services;
    // Jobs that went asynchronous (awaiting), by id. A job that runs synchronously to its end (most short jobs) is
    // only ever in _current: no map node per job.
    private readonly ConcurrentDictionary<long, Internal.RunningJob> _running = new();
    private Internal.RunningJob? _current;

    // The instance the next synchronous job runs on (reused job after job, see RunningJob); taken with an exchange, so
    // two threads never share it. A job that goes asynchronous keeps its instance, and the next job makes a new one.
    private Internal.RunningJob? _spare;

    // The descriptor of the last job handled (one reference, read and written atomically).
    private JobDescriptor? _lastDescriptor;

    // Cancels that found no running job: their job is still on its way (a cancel never overtakes its job on the host
    // side, but an in-process cancel is handled at once, not behind the job in the worker's inbox), or already ended.
    // A job whose id is here never starts. Bounded: the oldest id goes when it is full (a job that ended long ago).
    private readonly Lock _earlyGate = new();
    private readonly long[] _earlyCancels = new long[EarlyCancelCapacity];
    private volatile int _earlyCount;
    private int _earlyNext;

    private const int EarlyCancelCapacity = 64;

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
    public int RunningJobs => _running.Count + (Volatile.Read(ref _current) is null ? 0 : 1);

    /// <summary>Gets the clock that paces progress reports; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the shortest interval between two progress reports of one job; <see cref="WorkerPoolDefaults.ProgressInterval"/> by default.</summary>
    public TimeSpan ProgressInterval { get; init; } = WorkerPoolDefaults.ProgressInterval;

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
        // A job moves from _current to the map (never back) before _current is cleared: one of the two reads finds it.
        // The token fires on the thread pool: cancellation callbacks (the job's continuations among them) must not
        // run on the thread that delivered the cancel envelope, which may be the host's router or a timer.
        // RequestCancel checks the id again atomically: the instance in _current may move on to the next job between
        // the read and the request, and then the request changes nothing.
        if (TryCancelRunning(jobId))
        {
            return;
        }

        // Not running (yet): remember it, then look again (Dekker with Run, which publishes its job, then looks here),
        // so that a job starting right now is either found running or finds its cancel.
        lock (_earlyGate)
        {
            if (_earlyCancels[_earlyNext] == 0)
            {
                _earlyCount++;
            }

            _earlyCancels[_earlyNext] = jobId.Value;
            _earlyNext = (_earlyNext + 1) % EarlyCancelCapacity;
        }

        Interlocked.MemoryBarrier();
        TryCancelRunning(jobId);
    }

    private bool TryCancelRunning(JobId jobId)
    {
        if (Volatile.Read(ref _current) is { } current && current.Id == jobId)
        {
            current.RequestCancel(jobId);
            return true;
        }

        if (_running.TryGetValue(jobId.Value, out Internal.RunningJob? running))
        {
            running.RequestCancel(jobId);
            return true;
        }

        return false;
    }

    /// <summary>Takes <paramref name="id"/>'s early cancel, if one came before its job started.</summary>
    private bool TakeEarlyCancel(JobId id)
    {
        if (_earlyCount == 0 || id.Value == 0)
        {
            return false;
        }

        lock (_earlyGate)
        {
            int index = Array.IndexOf(_earlyCancels, id.Value, 0, EarlyCancelCapacity);
            if (index < 0)
            {
                return false;
            }

            _earlyCancels[index] = 0;
            _earlyCount--;
            return true;
        }
    }

    /// <summary>Fires the cancellation token of every running job (the worker is going away).</summary>
    public void CancelAll()
    {
        if (Volatile.Read(ref _current) is { } current)
        {
            current.RequestCancel(current.Id);
        }

        foreach (KeyValuePair<long, Internal.RunningJob> running in _running)
        {
            running.Value.RequestCancel(new JobId(running.Key));
        }
    }

    private void Run(in WorkerMessage message)
    {
        JobId id = message.JobId;

        // Consecutive jobs are usually of one kind, and an in-process transport hands over the very name string the
        // descriptor holds: a reference check then skips the by-name lookup.
        JobDescriptor? descriptor = _lastDescriptor;
        if ((descriptor is null || !ReferenceEquals(descriptor.Name, message.JobName)) && !_registry.TryGet(message.JobName!, out descriptor))
        {
            _reply(WorkerEvent.Error(_workerIndex, id, JobErrorKind.UnknownJob, message.JobName!, $"The worker's registry has no job named '{message.JobName}'. Register it on the worker side too.", null));
            return;
        }

        _lastDescriptor = descriptor;

        if (Volatile.Read(ref _current)?.Id == id || _running.ContainsKey(id.Value))
        {
            _reply(WorkerEvent.Error(_workerIndex, id, JobErrorKind.JobFailed, typeof(InvalidOperationException).FullName!, $"Job id {id} is already running on this worker.", null));
            return;
        }

        // Handle runs one message at a time per worker, so _current is free here; a transport that calls it re-entrantly
        // (from a job's own code) gets the map for the inner job.
        Internal.RunningJob job = Interlocked.Exchange(ref _spare, null) ?? new Internal.RunningJob();
        job.Reset(id);
        bool inline = Interlocked.CompareExchange(ref _current, job, null) is null;
        if (!inline)
        {
            _running[id.Value] = job;
            Interlocked.MemoryBarrier();
        }

        // Published above (with a full fence), then the early cancels are read: see Cancel.
        if (TakeEarlyCancel(id))
        {
            // Canceled while it waited in the worker's inbox: it never starts.
            Finish(job, inline, activity: null, progress: null);
            _reply(WorkerEvent.Error(_workerIndex, id, JobErrorKind.Canceled, typeof(OperationCanceledException).FullName!, "The job was canceled before it started.", null));
            return;
        }

        Activity? callerActivity = Activity.Current;
        Activity? activity = StartActivity(message, descriptor.Name);
        ValueTask<JobPayload> execution;
        Internal.ProgressSink? progress = null;
        try
        {
            progress = descriptor.Progress is { } codec
                ? new Internal.ProgressSink(codec, id, _workerIndex, message.Payload.IsEncoded, _reply, TimeProvider, ProgressInterval)
                : null;
            execution = descriptor.RunAsync(message.Payload, new JobContext(job, _workerIndex, _services, progress));
        }
        catch (Exception ex)
        {
            // Input decoding, or a job that threw before returning its task. The error is built before Finish
            // disposes the token source it inspects.
            WorkerEvent error = ToError(id, ex, job);
            Finish(job, inline, activity, progress);
            _reply(error);
            return;
        }

        if (execution.IsCompleted)
        {
            Complete(job, inline, activity, progress, execution);
        }
        else
        {
            if (inline)
            {
                // Into the map before it leaves _current (see Cancel); the continuation removes it from there.
                _running[id.Value] = job;
                Volatile.Write(ref _current, null);
            }

            _ = AwaitAsync(job, activity, progress, execution);

            // The job's span lives on in its continuation; this thread goes back to what it was doing.
            Activity.Current = callerActivity;
        }
    }

    private async Task AwaitAsync(Internal.RunningJob job, Activity? activity, Internal.ProgressSink? progress, ValueTask<JobPayload> execution)
    {
        WorkerEvent reply;
        try
        {
            reply = WorkerEvent.Result(_workerIndex, job.Id, await execution.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            reply = ToError(job.Id, ex, job);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }

        Finish(job, inline: false, activity, progress);
        _reply(reply);
    }

    private void Complete(Internal.RunningJob job, bool inline, Activity? activity, Internal.ProgressSink? progress, ValueTask<JobPayload> execution)
    {
        WorkerEvent reply;
        try
        {
            reply = WorkerEvent.Result(_workerIndex, job.Id, execution.Result);
        }
        catch (Exception ex)
        {
            reply = ToError(job.Id, ex, job);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }

        Finish(job, inline, activity, progress);
        _reply(reply);
    }

    private void Finish(Internal.RunningJob job, bool inline, Activity? activity, Internal.ProgressSink? progress)
    {
        // Before the reply: no progress report may follow the job's end.
        progress?.Dispose();
        if (inline)
        {
            Volatile.Write(ref _current, null);
        }
        else
        {
            _running.TryRemove(job.Id.Value, out _);
        }

        job.Finish();
        if (inline)
        {
            // Ended where it started, never in the map: the next synchronous job may run on this instance (whatever
            // still holds it checks the id it meant, see RunningJob).
            Volatile.Write(ref _spare, job);
        }

        activity?.Stop();
    }

    private WorkerEvent ToError(JobId id, Exception ex, Internal.RunningJob job) => ex switch
    {
        CodecFailureException codec => WorkerEvent.Error(
            _workerIndex,
            id,
            codec.Direction == SerializationDirection.Input ? JobErrorKind.InputSerialization : JobErrorKind.OutputSerialization,
            codec.Type.FullName!,
            codec.Message,
            null),
        OperationCanceledException when job.IsCancellationRequested => WorkerEvent.Error(
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
        // Worker-side spans come from the one activity source, SchedulerTelemetry.Name, as the dispatch spans do.
        Activity? activity = Telemetry.SchedulerTelemetry.ActivitySource.StartActivity("awsm.job.execute", ActivityKind.Consumer, parent);
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
