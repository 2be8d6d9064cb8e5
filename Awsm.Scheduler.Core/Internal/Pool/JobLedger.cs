using System.Diagnostics;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// Every accepted job until it ends: the pending map, id allocation, the exactly-once claim and how a job ends
/// (result, error, timeout, caller cancel, crash, abort), and the poison-job strikes those endings feed.
/// </summary>
/// <remarks>
/// A job is in the map before anything can end it (the caller's token, its timer, the send), so every path that ends
/// a job finds it. Ending is claim, clean up, decide the outcome, record it, complete the caller, in that order: the
/// caller resumes into a pool whose map, counts and telemetry already reflect its job's end.
/// </remarks>
internal sealed class JobLedger
{
    // A plain map under its own lock rather than a ConcurrentDictionary: no node per job (48 B less), and every
    // operation is one short critical section. No other lock is taken under it, and no caller is completed under it.
    private readonly Dictionary<long, PendingRef> _pending = [];
    private readonly Lock _pendingGate = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _poolName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan? _jobTimeout;
    private readonly PoisonJobTracker? _poison;
    private readonly PoolTelemetry _telemetry;
    private readonly CancellationWatch _watch;
    private readonly Action<int> _released;
    private long _lastJobId;
    private volatile bool _draining;

    // released: Up to the dispatcher: the job held a place (a worker's in-flight slot, or the worker index -1 for a place in the queue) that is free again.
    public JobLedger(string poolName, TimeProvider time, ILogger logger, TimeSpan? jobTimeout, PoisonJobTracker? poison, PoolTelemetry telemetry, CancellationWatch watch, Action<int> released)
    {
        _poolName = poolName;
        _time = time;
        _logger = logger;
        _jobTimeout = jobTimeout;
        _poison = poison;
        _telemetry = telemetry;
        _watch = watch;
        _released = released;
    }

    public int Count
    {
        get
        {
            lock (_pendingGate)
            {
                return _pending.Count;
            }
        }
    }

    public bool IsEmpty => Count == 0;

    public PoisonJobTracker? Poison => _poison;

    /// <summary>Completes once the map is empty after <see cref="BeginDraining"/>.</summary>
    public Task Drained => _drained.Task;

    public JobId NextId() => new(Interlocked.Increment(ref _lastJobId));

    /// <summary>Puts an accepted job in the map and wires its caller's token and its timeout.</summary>
    /// <returns><see langword="false"/> if the job already ended (the caller's token fired during registration).</returns>
    /// <remarks>
    /// Called by the dispatching thread, which holds the job's current generation until it returns the caller's value
    /// task: nothing can reuse the instance before that, so the plain reads and writes of the job here are its own.
    /// </remarks>
    public bool Admit(PendingJob job, CancellationToken cancellationToken)
    {
        long generation = job.Generation;
        _telemetry.Accepted(job);
        lock (_pendingGate)
        {
            _pending.Add(job.Id.Value, new PendingRef(job, generation));
        }

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

        if (_jobTimeout is { } timeout)
        {
            job.TimeoutTimer = _time.CreateTimer(static state => ((JobEnd)state!).TimedOut(), end ?? new JobEnd(this, job, generation), timeout, Timeout.InfiniteTimeSpan);
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

    /// <summary>Looks a pending job up by id; the generation it returns is the one to pass to every later call.</summary>
    public bool TryGet(long id, out PendingRef pending)
    {
        lock (_pendingGate)
        {
            return _pending.TryGetValue(id, out pending);
        }
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
        if (!TryClaim(job, generation, out bool wasSent))
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
        Fail(job, generation, error);
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
        foreach ((PendingJob job, long generation) in Snapshot())
        {
            if (job.SentWorker(generation) == worker && TryClaim(job, generation, out bool wasSent))
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

    /// <summary>Fails every job still in the map (the pool stops), telling workers that hold one to cancel it.</summary>
    public void AbortAll(Func<Exception> error)
    {
        foreach ((PendingJob job, long generation) in Snapshot())
        {
            Fail(job, generation, error(), notifyWorker: true);
        }
    }

    /// <summary>From now on, <see cref="Drained"/> completes when the map empties.</summary>
    public void BeginDraining()
    {
        _draining = true;
        if (IsEmpty)
        {
            _drained.TrySetResult();
        }
    }

    private void OnCallerCanceled(PendingJob job, long generation, CancellationToken token)
    {
        if (!TryClaim(job, generation, out bool wasSent))
        {
            return;
        }

        Log.JobCanceled(_logger, _poolName, job.JobName, job.Id.Value);
        if (wasSent)
        {
            _watch.CancelOnWorker(job.WorkerIndex, job.Id);
        }

        _telemetry.Ended(job, JobOutcome.Canceled, wasSent);
        job.SetCanceled(token);
    }

    private void OnTimeout(PendingJob job, long generation)
    {
        if (!TryClaim(job, generation, out bool wasSent))
        {
            return;
        }

        TimeSpan timeout = _jobTimeout.GetValueOrDefault();
        Log.JobTimedOut(_logger, _poolName, job.JobName, job.Id.Value, timeout.TotalMilliseconds);
        if (wasSent)
        {
            _watch.CancelOnWorker(job.WorkerIndex, job.Id);
        }

        _telemetry.Ended(job, JobOutcome.TimedOut, wasSent);
        job.SetException(new JobTimeoutException(job.JobName, timeout));
    }

    /// <summary>
    /// Claims the job's end and releases everything the pool holds for it. Exactly one caller per job gets
    /// <see langword="true"/>; it must then record the outcome and complete the caller's task.
    /// </summary>
    /// <remarks>After a successful claim the generation is the caller's until the caller is completed: the job's fields are read plainly from here on.</remarks>
    private bool TryClaim(PendingJob job, long generation, out bool wasSent)
    {
        if (!job.TryMarkDone(generation, out wasSent))
        {
            return false;
        }

        bool empty;
        lock (_pendingGate)
        {
            bool removed = _pending.Remove(job.Id.Value);
            Debug.Assert(removed, "A job is in the pending map from its admission until its end is claimed.");
            empty = _pending.Count == 0;
        }

        job.CancellationRegistration.Unregister();
        job.TimeoutTimer?.Dispose();

        // A worker has room again, or a job at the head of the queue ended and can be dropped.
        _released(wasSent ? job.WorkerIndex : -1);

        if (empty && _draining)
        {
            _drained.TrySetResult();
        }

        return true;
    }

    /// <summary>The jobs in the map now: sweeps claim them outside the lock (a claim takes it to remove the job).</summary>
    private PendingRef[] Snapshot()
    {
        lock (_pendingGate)
        {
            if (_pending.Count == 0)
            {
                return [];
            }

            var jobs = new PendingRef[_pending.Count];
            _pending.Values.CopyTo(jobs, 0);
            return jobs;
        }
    }

    /// <summary>A worker ran the input to its end: it is not poison (even if the job already ended on the host side).</summary>
    private void RecordReply(PendingJob job, long generation)
    {
        if (_poison is not null && job.TryReadInput(generation, out string jobName, out JobPayload payload))
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
        public void CallerCanceled(CancellationToken token) => ledger.OnCallerCanceled(job, generation, token);

        public void TimedOut() => ledger.OnTimeout(job, generation);
    }
}
