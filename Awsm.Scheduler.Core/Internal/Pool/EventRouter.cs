using System.Threading.Channels;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// Everything a transport reports, routed to whoever it concerns: replies to the ledger (a remote error kind becomes
/// the exception the caller sees), worker lifecycle events to the supervisor. Events arrive through the transport's
/// channel (read by one loop) or, for transports that offer it, through the reply sink on the delivering thread.
/// Whatever is addressed to nobody (unknown worker, unknown or ended job, wrong worker) is logged and dropped.
/// </summary>
internal sealed class EventRouter
{
    private readonly string _poolName;
    private readonly IWorkerTransport _transport;
    private readonly ILogger _logger;
    private readonly WorkerSlot[] _slots;
    private readonly JobLedger _ledger;
    private readonly WorkerSupervisor _supervisor;
    private readonly CancellationWatch _watch;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public EventRouter(string poolName, IWorkerTransport transport, ILogger logger, WorkerSlot[] slots, JobLedger ledger, WorkerSupervisor supervisor, CancellationWatch watch)
    {
        _poolName = poolName;
        _transport = transport;
        _logger = logger;
        _slots = slots;
        _ledger = ledger;
        _supervisor = supervisor;
        _watch = watch;
    }

    /// <summary>Starts reading the transport's events.</summary>
    public void Start() => _loop = Task.Run(RunAsync, CancellationToken.None);

    /// <summary>Stops the loop and waits for it; events still in the channel are not read.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>
    /// The transport's shortcut for replies (<see cref="WorkerTransportContext.ReplySink"/>): routes on the delivering
    /// thread instead of through the channel and the loop. The caller still resumes asynchronously.
    /// </summary>
    public void Deliver(WorkerEvent e)
    {
        try
        {
            Route(e);
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, _poolName, ex);
        }
    }

    private async Task RunAsync()
    {
        ChannelReader<WorkerEvent> events = _transport.Events;
        CancellationToken stop = _stop.Token;
        try
        {
            while (await events.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (events.TryRead(out WorkerEvent e))
                {
                    Route(e);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, _poolName, ex);
            throw;
        }
    }

    private void Route(in WorkerEvent e)
    {
        if ((uint)e.WorkerIndex >= (uint)_slots.Length)
        {
            Log.MalformedEnvelope(_logger, _poolName, e.WorkerIndex, $"{e.Kind} event for a worker index outside [0, {_slots.Length})");
            return;
        }

        switch (e.Kind)
        {
            case WorkerEventKind.Result:
            case WorkerEventKind.Error:
                OnJobReply(e);
                break;
            case WorkerEventKind.Progress:
                OnProgress(e);
                break;
            case WorkerEventKind.Ready:
                _supervisor.OnReady(e.WorkerIndex);
                break;
            case WorkerEventKind.InitError:
                _supervisor.OnLost(e.WorkerIndex, e.Message ?? "init error", duringInit: true);
                break;
            case WorkerEventKind.Crashed:
                _supervisor.OnLost(e.WorkerIndex, e.Message ?? "crashed", duringInit: false);
                break;
            default:
                Log.MalformedEnvelope(_logger, _poolName, e.WorkerIndex, e.Message ?? $"event of kind {e.Kind}");
                break;
        }
    }

    private void OnJobReply(in WorkerEvent e)
    {
        // The job's id names the ledger entry of the worker that holds it: no lookup, no lock. The job may end on
        // another path (and its instance serve a later dispatch) at any point below: every call names the generation
        // the ledger handed out with it, and a name read for a message is checked against it.
        long id = e.JobId.Value;
        if (!_ledger.TryFind(e.WorkerIndex, e.JobId, out PendingRef pending))
        {
            int holder = _ledger.HolderOf(e.JobId);
            if (holder >= 0)
            {
                Log.EnvelopeFromWrongWorker(_logger, _poolName, e.Kind.ToString(), id, e.WorkerIndex, holder);
                return;
            }

            // A late answer for a job that ended on the host side: its worker did stop it (or finished it).
            _watch.Forget(id);
            Log.StaleEnvelope(_logger, _poolName, e.WorkerIndex, e.Kind.ToString(), id);
            return;
        }

        (PendingJob job, long generation) = pending;
        _slots[e.WorkerIndex].AddCompleted();
        if (e.Kind == WorkerEventKind.Result)
        {
            _supervisor.OnJobSucceeded(e.WorkerIndex);
            _ledger.Succeed(job, generation, e.Payload);
            return;
        }

        if (!job.TryReadInput(generation, out string jobName, out _))
        {
            // Ended meanwhile: the error would be dropped by the claim below anyway.
            return;
        }

        SchedulerException error = RemoteError(jobName, e);
        if (error is JobFailedException)
        {
            Log.JobFailed(_logger, _poolName, jobName, id, e.WorkerIndex, e.ErrorType ?? "unknown", e.Message ?? string.Empty);
        }

        _ledger.FailByWorker(job, generation, error);
    }

    /// <summary>Hands a progress report to the caller's <see cref="IProgress{T}"/>; never after the job ended.</summary>
    private void OnProgress(in WorkerEvent e)
    {
        // Progress is best-effort: one for a job that ended, that nobody listens to, or from the wrong worker is
        // dropped without ceremony (a coalesced report can cross the job's result on the way). A job with a listener
        // is never reused (see PendingJob<TOutput>), so the route read here is this job's or none.
        if (!_ledger.TryFind(e.WorkerIndex, e.JobId, out PendingRef pending)
            || pending.Job.Progress is not { } route)
        {
            return;
        }

        try
        {
            route.Codec.TryDeliver(route.Target, e.Payload);
        }
        catch (Exception ex)
        {
            // Undecodable progress, or the caller's IProgress threw: neither may hurt the job or the pool.
            Log.ProgressDropped(_logger, _poolName, pending.Job.JobName, e.JobId.Value, ex.Message);
        }
    }

    /// <summary>What the caller sees for an error the worker reported.</summary>
    private static SchedulerException RemoteError(string jobName, in WorkerEvent e) => e.ErrorKind switch
    {
        JobErrorKind.UnknownJob => new UnknownJobException(jobName, $"worker {e.WorkerIndex} has no such job in its registry; register it on the worker side too."),
        JobErrorKind.InputSerialization => new JobSerializationException(jobName, e.ErrorType ?? "unknown", SerializationDirection.Input, e.Message ?? string.Empty),
        JobErrorKind.OutputSerialization => new JobSerializationException(jobName, e.ErrorType ?? "unknown", SerializationDirection.Output, e.Message ?? string.Empty),
        _ => new JobFailedException(jobName, e.WorkerIndex, e.ErrorType ?? "unknown", e.Message ?? string.Empty, e.RemoteStackTrace),
    };
}
