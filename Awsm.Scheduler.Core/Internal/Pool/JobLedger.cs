using System.Diagnostics;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// Every accepted job until it ends: where it is held, the exactly-once claim and how a job ends (result, error,
/// timeout, caller cancel, crash, abort), and the poison-job strikes those endings feed.
/// </summary>
/// <remarks>
/// <para>
/// There is no pool-wide pending map on the path a job usually takes. A sent job is held by its worker's
/// <see cref="WorkerLedger"/> (its id names the entry, so a reply finds it without a lookup, and a crash sweeps only
/// that worker's entries). A job that waits for a worker is held in the small waiting set below, which only the queue
/// path touches. Between its admission and its send a job is held by the dispatching thread alone; a stop that
/// begins meanwhile is caught by the sender (see <see cref="Dispatcher"/>).
/// </para>
/// <para>
/// Ending is claim, clean up, decide the outcome, record it, complete the caller, in that order: the caller resumes
/// into a pool whose ledgers, counts and telemetry already reflect its job's end.
/// </para>
/// </remarks>
internal sealed class JobLedger
{
    // Jobs accepted and not sent: queued, or waiting for room in the queue. Keyed by instance (an instance is reused
    // only after its claim took it out), with the generation it waits in.
    private readonly Dictionary<PendingJob, long> _waiting = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _waitingGate = new();
    private readonly WorkerSlot[] _slots;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _poolName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan? _jobTimeout;
    private readonly PoisonJobTracker? _poison;
    private readonly PoolTelemetry _telemetry;
    private readonly CancellationWatch _watch;
    private readonly Action<int> _released;
    private readonly Action<JobConstraints.ConstraintTicket> _constraintsReleased;
    private volatile bool _draining;

    // released: Up to the dispatcher: the job held a place (a worker's in-flight slot, or the worker index -1 for a place in the queue) that is free again.
    public JobLedger(string poolName, TimeProvider time, ILogger logger, TimeSpan? jobTimeout, PoisonJobTracker? poison, PoolTelemetry telemetry, CancellationWatch watch, WorkerSlot[] slots, Action<int> released, Action<JobConstraints.ConstraintTicket> constraintsReleased)
    {
        _slots = slots;
        _poolName = poolName;
        _time = time;
        _logger = logger;
        _jobTimeout = jobTimeout;
        _poison = poison;
        _telemetry = telemetry;
        _watch = watch;
        _released = released;
        _constraintsReleased = constraintsReleased;
    }

    /// <summary>Gets how many jobs are accepted and not ended: sent (or being sent), or waiting for a worker.</summary>
    public int Count
    {
        get
        {
            int count = WaitingCount;
            foreach (WorkerSlot slot in _slots)
            {
                count += slot.Ledger.Count;
            }

            return count;
        }
    }

    /// <summary>Gets how many jobs wait for a worker (queued, or waiting for room in the queue).</summary>
    public int WaitingCount
    {
        get
        {
            lock (_waitingGate)
            {
                return _waiting.Count;
            }
        }
    }

    public bool IsEmpty => Count == 0;

    public PoisonJobTracker? Poison => _poison;

    /// <summary>Completes once the map is empty after <see cref="BeginDraining"/>.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Counts an accepted job and wires its caller's token and its timeout.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <param name="timeout">The job's own timeout (its dispatch's, else its type's); <see langword="null"/> for the
    /// pool's, <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <returns><see langword="false"/> if the job already ended (the caller's token fired during registration).</returns>
    /// <remarks>
    /// Called by the dispatching thread, which holds the job's current generation until it returns the caller's value
    /// task: nothing can reuse the instance before that, so the plain reads and writes of the job here are its own.
    /// </remarks>
    public bool Admit(PendingJob job, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        long generation = job.Generation;
        _telemetry.Accepted(job);

        JobEnd? end = null;
        if (cancellationToken.CanBeCanceled)
        {
            end = new JobEnd(this, job, generation);
            job.CallerToken = cancellationToken;
            job.CancellationRegistration = cancellationToken.UnsafeRegister(static (state, token) => ((JobEnd)state!).CallerCanceled(token), end);
        }

        if (job.IsDone(generation))
        {
            return false;
        }

        if ((timeout ?? _jobTimeout) is { } limit && limit != Timeout.InfiniteTimeSpan)
        {
            end ??= new JobEnd(this, job, generation);
            end.Timeout = limit;
            job.TimeoutTimer = _time.CreateTimer(static state => ((JobEnd)state!).TimedOut(), end, limit, Timeout.InfiniteTimeSpan);
            Interlocked.MemoryBarrier(); // the timer's store before the state's load, against the claim's exchange
            if (job.IsDone(generation))
            {
                // The caller's token fired while the timer was being created: the claim found no timer to dispose.
                job.TimeoutTimer.Dispose();
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Finds the job <paramref name="worker"/> holds under <paramref name="id"/>; the generation it returns is the one
    /// to pass to every later call.
    /// </summary>
    public bool TryFind(int worker, JobId id, out PendingRef pending)
    {
        if (_slots[worker].Ledger.TryFind(id, out PendingJob job, out long generation))
        {
            pending = new PendingRef(job, generation);
            return true;
        }

        pending = default;
        return false;
    }

    /// <summary>Returns the worker that holds a job sent as <paramref name="id"/>, or -1 if none does (it ended, or never was).</summary>
    public int HolderOf(JobId id) =>
        WorkerLedger.TryDecode(id, out int worker, out _) && worker < _slots.Length && TryFind(worker, id, out _) ? worker : -1;

    /// <summary>Holds a job that is about to wait for a worker. Returns <see langword="false"/> if it already ended.</summary>
    /// <remarks>
    /// A claim that ends a waiting job takes it out under the same lock, after its claim: either the claim comes first
    /// and the check below sees the job ended, or the claim finds it here.
    /// </remarks>
    public bool AddWaiting(PendingJob job, long generation)
    {
        lock (_waitingGate)
        {
            if (job.IsDone(generation))
            {
                return false;
            }

            _waiting[job] = generation;
            return true;
        }
    }

    /// <summary>A waiting job was handed to a worker (its worker's ledger holds it now).</summary>
    public void SentFromQueue(PendingJob job, long generation) => RemoveWaiting(job, generation);

    /// <summary>Frees a worker's ledger entry that no job holds any more, and ends a drain that waited for it.</summary>
    public void ReleaseEntry(int worker, int entry)
    {
        _slots[worker].Ledger.Release(entry);
        SignalIfDrained();
    }

    /// <summary>Returns the exception that refuses a quarantined input, or <see langword="null"/>.</summary>
    public JobQuarantinedException? Refusal(string jobName, in JobPayload payload)
    {
        if (_poison is not { Count: > 0 } || !_poison.IsQuarantined(jobName, payload, out int crashes))
        {
            return null;
        }

        _telemetry.JobRefused(jobName);
        Log.QuarantinedJobRefused(_logger, _poolName, jobName);
        return new JobQuarantinedException(jobName, crashes);
    }

    /// <summary>The worker answered with an output.</summary>
    public void Succeed(PendingJob job, long generation, JobPayload output)
    {
        RecordReply(job, generation);
        if (!TryClaim(job, generation, out bool wasSent, byReply: true))
        {
            return;
        }

        if (job.TryDecodeOutput(output) is { } decodeError)
        {
            // The output could not be decoded: the caller sees a failure, and so does every count.
            _telemetry.Ended(job, JobOutcome.Failed, wasSent);
            job.SetException(decodeError);
            return;
        }

        _telemetry.Ended(job, JobOutcome.Completed, wasSent);
        job.SetDecodedResult();
    }

    /// <summary>The worker answered with an error.</summary>
    public void FailByWorker(PendingJob job, long generation, SchedulerException error)
    {
        RecordReply(job, generation);
        if (TryClaim(job, generation, out bool wasSent, byReply: true))
        {
            _telemetry.Ended(job, JobOutcome.Failed, wasSent);
            job.SetException(error);
        }
    }

    /// <summary>Ends a job with an exception. Returns <see langword="false"/> if it had already ended.</summary>
    /// <param name="job">The job.</param>
    /// <param name="generation">The generation the caller holds the job in.</param>
    /// <param name="error">What the caller sees.</param>
    /// <param name="notifyWorker">Whether a worker may still be running the job and must be told to cancel it (the
    /// failure started on the host side, like an abort); <see langword="false"/> when the worker replied or died.</param>
    public bool Fail(PendingJob job, long generation, Exception error, bool notifyWorker = false)
    {
        if (!TryClaim(job, generation, out bool wasSent))
        {
            return false;
        }

        if (notifyWorker && wasSent)
        {
            _watch.CancelOnWorker(job.WorkerIndex, job.Id);
        }

        _telemetry.Ended(job, JobOutcome.Failed, wasSent);
        job.SetException(error);
        return true;
    }

    /// <summary>Fails every job a lost worker held with <see cref="WorkerCrashedException"/>.</summary>
    /// <returns>How many jobs failed.</returns>
    public int FailJobsOf(int worker, string reason)
    {
        int count = 0;
        bool quarantined = false;
        foreach ((PendingJob job, long generation) in _slots[worker].Ledger.Snapshot())
        {
            if (TryClaim(job, generation, out bool wasSent))
            {
                // The strike is recorded before the caller resumes: a caller who saw the crash and dispatches the
                // same input again finds it counted (and quarantined, at the threshold).
                quarantined |= RecordCrash(job);
                _telemetry.Ended(job, JobOutcome.Failed, wasSent);
                job.SetException(new WorkerCrashedException(worker, reason));
                count++;
            }
        }

        if (quarantined)
        {
            // Queued copies of a newly quarantined input must fail now, not wait for a worker. The claims above woke
            // the dispatcher before the strike was recorded; it may have checked a copy then and gone back to sleep
            // with no worker to send it to. Wake it again: it checks each queued input before sending.
            _released(-1);
        }

        return count;
    }

    /// <summary>Fails every job still held (the pool stops), telling workers that hold one to cancel it.</summary>
    public void AbortAll(Func<Exception> error)
    {
        foreach ((PendingJob job, long generation) in Held())
        {
            Fail(job, generation, error(), notifyWorker: true);
        }
    }

    /// <summary>
    /// Ends every job held now (waiting, or sent and not ended) as canceled, telling workers that run one to cancel
    /// it. Each job's own claim decides: a job that ends otherwise meanwhile is left to that end and not counted.
    /// </summary>
    /// <returns>How many jobs this call ended.</returns>
    /// <remarks>
    /// Walks the same sets <see cref="AbortAll"/> does, off the per-job path. A job between its admission and its
    /// send is in neither set and may escape; one accepted after the walk is not touched.
    /// </remarks>
    public int CancelAll()
    {
        int count = 0;
        foreach ((PendingJob job, long generation) in Held())
        {
            count += CancelByPool(job, generation) ? 1 : 0;
        }

        Log.PendingJobsCanceled(_logger, _poolName, count);
        return count;
    }

    /// <summary>Every job held now: the waiting ones first, then each worker's ledger.</summary>
    private List<PendingRef> Held()
    {
        var held = new List<PendingRef>();
        lock (_waitingGate)
        {
            held.AddRange(_waiting.Select(w => new PendingRef(w.Key, w.Value)));
        }

        foreach (WorkerSlot slot in _slots)
        {
            held.AddRange(slot.Ledger.Snapshot());
        }

        return held;
    }

    /// <summary>From now on, <see cref="Drained"/> completes when nothing is held any more.</summary>
    public void BeginDraining()
    {
        _draining = true;
        Interlocked.MemoryBarrier(); // the flag before the count (against a release, which frees then reads the flag)
        SignalIfDrained();
    }

    private void OnCallerCanceled(PendingJob job, long generation, CancellationToken token)
    {
        if (!TryClaimAndStopOnWorker(job, generation, out bool wasSent))
        {
            return;
        }

        Log.JobCanceled(_logger, _poolName, job.JobName, job.Id.Value);
        _telemetry.Ended(job, JobOutcome.Canceled, wasSent);
        job.SetCanceled(token);
    }

    private bool CancelByPool(PendingJob job, long generation)
    {
        if (!TryClaimAndStopOnWorker(job, generation, out bool wasSent))
        {
            return false;
        }

        _telemetry.Ended(job, JobOutcome.Canceled, wasSent);
        job.SetException(new OperationCanceledException($"Job '{job.JobName}' was canceled by {nameof(IWorkerPool.CancelPendingJobs)} of pool '{_poolName}'."));
        return true;
    }

    private void OnTimeout(PendingJob job, long generation, TimeSpan timeout)
    {
        if (!TryClaimAndStopOnWorker(job, generation, out bool wasSent))
        {
            return;
        }

        Log.JobTimedOut(_logger, _poolName, job.JobName, job.Id.Value, timeout.TotalMilliseconds);

        _telemetry.Ended(job, JobOutcome.TimedOut, wasSent);
        job.SetException(new JobTimeoutException(job.JobName, timeout));
    }

    /// <summary>
    /// Claims the end of a job that ends on the host side (a cancel, a timeout) and, if a worker holds it, tells that
    /// worker to stop it.
    /// </summary>
    private bool TryClaimAndStopOnWorker(PendingJob job, long generation, out bool wasSent)
    {
        if (!TryClaim(job, generation, out wasSent))
        {
            return false;
        }

        if (wasSent)
        {
            _watch.CancelOnWorker(job.WorkerIndex, job.Id);
        }

        return true;
    }

    /// <summary>
    /// Claims the job's end and releases everything the pool holds for it. Exactly one caller per job gets
    /// <see langword="true"/>; it must then record the outcome and complete the caller's task.
    /// </summary>
    /// <remarks>After a successful claim the generation is the caller's until the caller is completed: the job's fields are read plainly from here on.</remarks>
    private bool TryClaim(PendingJob job, long generation, out bool wasSent, bool byReply = false)
    {
        if (!job.TryMarkDone(generation, out wasSent, byReply))
        {
            return false;
        }

        job.CancellationRegistration.Unregister();
        job.TimeoutTimer?.Dispose();

        if (wasSent)
        {
            // The claim owns the generation now: the id the sender wrote names the entry this job held.
            bool decoded = WorkerLedger.TryDecode(job.Id, out int worker, out int entry);
            Debug.Assert(decoded && worker == job.WorkerIndex, "A sent job's id names its worker's entry.");
            ReleaseEntry(worker, entry);
        }
        else
        {
            RemoveWaiting(job, generation);
        }

        // A job with a key or type limit gives it back: the jobs that waited for it go to the queue.
        if (job.Constraints is { } constraints)
        {
            _constraintsReleased(constraints);
        }

        // A worker has room again, or a job at the head of the queue ended and can be dropped.
        _released(wasSent ? job.WorkerIndex : -1);
        return true;
    }

    private void RemoveWaiting(PendingJob job, long generation)
    {
        lock (_waitingGate)
        {
            if (_waiting.TryGetValue(job, out long held) && held == generation)
            {
                _waiting.Remove(job);
            }
        }

        SignalIfDrained();
    }

    private void SignalIfDrained()
    {
        if (_draining && Count == 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>A worker ran the input to its end: it is not poison (even if the job already ended on the host side).</summary>
    private void RecordReply(PendingJob job, long generation)
    {
        // Nothing to clear while no input has a strike (the usual case): no read of the input, and no fence.
        if (_poison is { Count: > 0 } && job.TryReadInput(generation, out string jobName, out JobPayload payload))
        {
            _poison.RecordReply(jobName, payload);
        }
    }

    /// <summary>Counts a crash against the job's input; returns whether that quarantined it.</summary>
    private bool RecordCrash(PendingJob job)
    {
        if (_poison is null || !_poison.RecordCrash(job.JobName, job.Payload, out int strikes))
        {
            return false;
        }

        _telemetry.InputQuarantined(job.JobName);
        Log.JobQuarantined(_logger, _poolName, job.JobName, strikes);
        return true;
    }

    /// <summary>The state of a job's timer and cancellation callbacks: the ledger, and the job and generation they end.</summary>
    private sealed class JobEnd(JobLedger ledger, PendingJob job, long generation)
    {
        /// <summary>Gets or sets the job's timeout (written before its timer is created).</summary>
        public TimeSpan Timeout { get; set; }

        public void CallerCanceled(CancellationToken token) => ledger.OnCallerCanceled(job, generation, token);

        public void TimedOut() => ledger.OnTimeout(job, generation, Timeout);
    }
}
