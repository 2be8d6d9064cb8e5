using System.Threading.Channels;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// The pool's <see cref="WorkerEventWriter"/>: everything a transport reports, heard only from a worker's current
/// incarnation and routed to whoever it concerns. Replies and progress go to the ledger on the writing thread (a
/// remote error kind becomes the exception the caller sees); ready, init errors and crashes go through the pool's one
/// ordered inbox to the supervisor. Whatever is addressed to nobody (unknown worker, unknown or ended job, wrong
/// worker) is logged and dropped.
/// </summary>
/// <remarks>
/// The contract is enforced here, once, on each worker's <see cref="WorkerSlot.Voice"/>: an event tagged with another
/// incarnation than the current one is dropped; an outcome moves the incarnation's phase by a compare-exchange (Starting →
/// Ready or Dead, Ready → Dead), so a start has at most one and a dead incarnation says nothing more; the supervisor
/// silences an incarnation it loses (timeout, terminate). A reply costs one read of that word, on a line written only when
/// the worker's life changes.
/// </remarks>
internal sealed class EventRouter : WorkerEventWriter
{
    private readonly string _poolName;
    private readonly ILogger _logger;
    private readonly WorkerSlot[] _slots;
    private readonly JobLedger _ledger;
    private readonly WorkerSupervisor _supervisor;
    private readonly CancellationWatch _watch;
    private readonly Channel<Lifecycle> _inbox = Channel.CreateUnbounded<Lifecycle>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public EventRouter(string poolName, ILogger logger, WorkerSlot[] slots, JobLedger ledger, WorkerSupervisor supervisor, CancellationWatch watch)
    {
        _poolName = poolName;
        _logger = logger;
        _slots = slots;
        _ledger = ledger;
        _supervisor = supervisor;
        _watch = watch;
    }

    /// <summary>Starts reading the inbox.</summary>
    public void Start() => _loop = Task.Run(RunInboxAsync, CancellationToken.None);

    /// <summary>Stops the inbox loop and waits for it; lifecycle events still queued are not read.</summary>
    public async Task StopAsync()
    {
        _inbox.Writer.TryComplete();
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

    /// <inheritdoc />
    public override bool TryWrite(int incarnation, in WorkerEvent workerEvent)
    {
        int worker = workerEvent.WorkerIndex;
        if ((uint)worker >= (uint)_slots.Length)
        {
            Log.MalformedEnvelope(_logger, _poolName, worker, $"{workerEvent.Kind} event for a worker index outside [0, {_slots.Length})");
            return false;
        }

        ref long voice = ref _slots[worker].Voice;
        try
        {
            switch (workerEvent.Kind)
            {
                case WorkerEventKind.Result or WorkerEventKind.Error or WorkerEventKind.Progress:
                    // The hot path: one read of a word written only when the worker's life changes.
                    long now = Volatile.Read(ref voice);
                    if (Voice.IncarnationOf(now) != incarnation || Voice.PhaseOf(now) == Voice.Dead)
                    {
                        return Unheard(incarnation, workerEvent);
                    }

                    if (workerEvent.Kind == WorkerEventKind.Progress)
                    {
                        OnProgress(workerEvent);
                    }
                    else
                    {
                        OnJobReply(workerEvent);
                    }

                    return true;
                case WorkerEventKind.Ready:
                    return Voice.TryMove(ref voice, incarnation, 1 << (int)Voice.Starting, Voice.Ready)
                        ? Post(incarnation, workerEvent)
                        : Unheard(incarnation, workerEvent);
                case WorkerEventKind.InitError:
                    return Voice.TryMove(ref voice, incarnation, 1 << (int)Voice.Starting, Voice.Dead)
                        ? Post(incarnation, workerEvent)
                        : Unheard(incarnation, workerEvent);
                case WorkerEventKind.Crashed:
                    return Voice.TryMove(ref voice, incarnation, (1 << (int)Voice.Starting) | (1 << (int)Voice.Ready), Voice.Dead)
                        ? Post(incarnation, workerEvent)
                        : Unheard(incarnation, workerEvent);
                default:
                    long current = Volatile.Read(ref voice);
                    if (Voice.IncarnationOf(current) != incarnation || Voice.PhaseOf(current) == Voice.Dead)
                    {
                        return Unheard(incarnation, workerEvent);
                    }

                    Log.MalformedEnvelope(_logger, _poolName, worker, workerEvent.Message ?? $"event of kind {workerEvent.Kind}");
                    return true;
            }
        }
        catch (Exception ex)
        {
            // Nothing a worker says may throw into its transport: a fault here is the pool's, logged.
            Log.LoopFailed(_logger, _poolName, ex);
            return false;
        }
    }

    private bool Post(int incarnation, in WorkerEvent e)
    {
        // Unbounded: at most a few outcomes per start ever wait here. A stopped pool's inbox refuses; nobody listens.
        return _inbox.Writer.TryWrite(new Lifecycle(incarnation, e));
    }

    private bool Unheard(int incarnation, in WorkerEvent e)
    {
        if (e.Kind is WorkerEventKind.Result or WorkerEventKind.Error or WorkerEventKind.Progress)
        {
            Log.StaleEnvelope(_logger, _poolName, e.WorkerIndex, $"{e.Kind} (incarnation {incarnation})", e.JobId.Value);
        }
        else
        {
            Log.UnheardEvent(_logger, _poolName, e.WorkerIndex, e.Kind.ToString(), incarnation, Voice.IncarnationOf(Volatile.Read(ref _slots[e.WorkerIndex].Voice)));
        }

        return false;
    }

    private async Task RunInboxAsync()
    {
        ChannelReader<Lifecycle> inbox = _inbox.Reader;
        CancellationToken stop = _stop.Token;
        try
        {
            while (await inbox.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (inbox.TryRead(out Lifecycle note))
                {
                    OnLifecycle(note.Incarnation, note.Event);
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

    private void OnLifecycle(int incarnation, in WorkerEvent e)
    {
        switch (e.Kind)
        {
            case WorkerEventKind.Ready:
                _supervisor.OnReady(e.WorkerIndex, incarnation);
                break;
            case WorkerEventKind.InitError:
                _supervisor.OnLost(e.WorkerIndex, e.Message ?? "init error", duringInit: true, incarnation);
                break;
            case WorkerEventKind.Crashed:
                _supervisor.OnLost(e.WorkerIndex, e.Message ?? "crashed", duringInit: false, incarnation);
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

    /// <summary>A lifecycle event waiting in the inbox, with the incarnation it was accepted for.</summary>
    private readonly record struct Lifecycle(int Incarnation, WorkerEvent Event);
}
