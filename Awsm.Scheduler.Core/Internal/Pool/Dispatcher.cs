using System.Diagnostics;
using System.Threading.Channels;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// Placement: the bounded queue of jobs that wait for a worker, the loop that drains it, and the send itself.
/// </summary>
/// <remarks>
/// <para>
/// A worker's capacity is its <see cref="WorkerLedger"/>: a send first reserves an entry there (one compare-exchange),
/// so the in-flight limit holds without a lock. In the common case (the built-in round-robin strategy, no worker
/// starting, nothing queued) the caller's thread picks a worker and reserves its entry with no lock at all; otherwise
/// the <see cref="WorkerPicker"/> and the configured strategy run under <see cref="_sendGate"/>, which keeps them
/// single-threaded. <see cref="IWorkerTransport.Send"/> is never called under a lock.
/// </para>
/// <para>
/// The job stays Sending until the transport has the envelope (see <see cref="PendingJob.TryBeginSend"/>): whoever
/// ends it meanwhile waits, so its cancel can never be sent ahead of it. A send and a worker's loss (or the pool's
/// abort) meet Dekker-style: the sender publishes its job in the ledger, fences, then reads the worker's state and the
/// stop flag; the loss writes the state, fences, then sweeps the ledger. At least one of them sees the other, and
/// the job's claim makes sure only one ends it.
/// </para>
/// </remarks>
internal sealed class Dispatcher
{
    // The queue: one lane per priority (index = priority + 1, so Low, Normal, High), bounded together by _room.
    private readonly Channel<PendingRef>[] _lanes;
    private readonly SemaphoreSlim _room;
    private readonly CancellationTokenSource _closed = new();

    // How many departures from higher lanes each waiting lane has seen since its last own departure. The loop alone
    // reads and writes it.
    private readonly int[] _passedOver;
    private readonly JobConstraints _constraints = new();

    // Set when the queue closes (the pool stops): an ended constrained job then admits no other.
    private volatile bool _queueClosed;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Lock _sendGate = new();
    private readonly string _poolName;
    private readonly IWorkerTransport _transport;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WorkerPicker _picker;
    private readonly WorkerSlot[] _slots;
    private readonly PoolLifecycle _lifecycle;
    private readonly JobLedger _ledger;
    private readonly PoolTelemetry _telemetry;
    private readonly Func<Exception> _stoppedError;
    private readonly int _queueCapacity;
    private readonly QueueFullMode _queueFullMode;
    private readonly WorkerSlot.StartCounter _starts;
    private readonly bool _lockFreePlacement;

    // The round-robin cursor of the lock-free placement: read and written without a lock or an interlocked operation.
    // Callers on two threads may now and then read the same value and pick the same worker, which costs a little
    // evenness and nothing else. (One cursor per thread would save a shared line but break the promised order: a
    // caller's consecutive dispatches often run on different threads.)
    private uint _cursor;

    // Jobs written to the queue and not yet taken out (a little ahead of the channel's own count while a write is under
    // way). Read on the hot path instead of the bounded channel's Count, which takes the channel's lock.
    private int _queued;

    // Set (under the send lock) when the pool aborts: from then on nothing more reaches a worker, so no job is sent
    // between the abort failing the job before it (and freeing that worker's place) and failing this one.
    private bool _sendsStopped;

    public Dispatcher(
        string poolName,
        IWorkerTransport transport,
        ILogger logger,
        TimeProvider time,
        WorkerPoolOptions options,
        WorkerSlot[] slots,
        WorkerSlot.StartCounter starts,
        PoolLifecycle lifecycle,
        JobLedger ledger,
        PoolTelemetry telemetry,
        Func<Exception> stoppedError)
    {
        _poolName = poolName;
        _transport = transport;
        _logger = logger;
        _time = time;
        IWorkerSelectionStrategy strategy = options.Strategy ?? WorkerSelectionStrategies.RoundRobin();
        _picker = new WorkerPicker(slots, strategy, options.MaxInFlightPerWorker);
        _lockFreePlacement = strategy is WorkerSelectionStrategies.RoundRobinStrategy;
        _starts = starts;
        _slots = slots;
        _lifecycle = lifecycle;
        _ledger = ledger;
        _telemetry = telemetry;
        _stoppedError = stoppedError;
        _queueCapacity = options.QueueCapacity;
        _queueFullMode = options.QueueFullMode;
        _room = new SemaphoreSlim(_queueCapacity, _queueCapacity);
        _lanes = new Channel<PendingRef>[LaneCount];
        for (int lane = 0; lane < _lanes.Length; lane++)
        {
            _lanes[lane] = Channel.CreateUnbounded<PendingRef>(new UnboundedChannelOptions { SingleReader = true });
        }

        _passedOver = new int[LaneCount];
    }

    private const int LaneCount = 3;

    /// <summary>
    /// Gets how many jobs wait for a worker. A job that ends while queued (canceled, timed out) stays in the channel
    /// until the loop drops it, a moment later; it is not counted: no more jobs can wait than are pending and not sent.
    /// </summary>
    public int QueueDepth => Math.Min(_queueCapacity - _room.CurrentCount, _ledger.WaitingCount);

    public int InFlight
    {
        get
        {
            int total = 0;
            foreach (WorkerSlot slot in _slots)
            {
                total += slot.InFlight;
            }

            return total;
        }
    }

    /// <summary>Sends an admitted job now, or queues it in its priority's lane; a full queue rejects it or waits, as configured.</summary>
    /// <remarks>Called by the dispatching thread, which holds the job's current generation (see <see cref="JobLedger.Admit"/>).</remarks>
    /// <param name="job">The job.</param>
    /// <param name="placement">What the strategy sees of it.</param>
    /// <param name="constraints">Its standing under a key or type limit; <see langword="null"/> for a job with none.
    /// A constrained job always goes through the queue (it may have to wait for its limits, not only for a worker).</param>
    public void Accept(PendingJob job, in JobPlacement placement, JobConstraints.ConstraintTicket? constraints = null)
    {
        long generation = job.Generation;
        if (constraints is null && TrySendNow(job, generation, placement))
        {
            return;
        }

        if (!_ledger.AddWaiting(job, generation))
        {
            // Ended during its admission (the caller's token): nothing to queue.
            return;
        }

        var queued = new PendingRef(job, generation);
        int lane = LaneOf(placement.Priority);
        Interlocked.Increment(ref _queued);
        if (_room.Wait(0))
        {
            Enqueue(queued, lane, constraints);
            return;
        }

        Interlocked.Decrement(ref _queued);

        if (_lifecycle.IsStopping)
        {
            _ledger.Fail(job, generation, _stoppedError());
        }
        else if (_queueFullMode == QueueFullMode.Reject)
        {
            Log.QueueFull(_logger, _poolName, job.JobName, _queueCapacity);
            _ledger.Fail(job, generation, new QueueFullException(job.JobName, _queueCapacity));
        }
        else
        {
            _ = EnqueueWhenRoomAsync(queued, lane, constraints, job.CallerToken);
        }
    }

    /// <summary>
    /// Writes a job that holds a place in the queue into its lane and wakes the loop; a closed queue fails it. A
    /// constrained job that must wait for its key or its type's cap is parked instead, keeping its place in the queue.
    /// </summary>
    private void Enqueue(PendingRef queued, int lane, JobConstraints.ConstraintTicket? constraints)
    {
        if (constraints is not null)
        {
            switch (_constraints.Admit(constraints))
            {
                case JobConstraints.TicketState.Admitted:
                    break;
                case JobConstraints.TicketState.Ended:
                    // Ended before it was admitted (its claim found nothing held): its place is free again.
                    _room.Release();
                    Interlocked.Decrement(ref _queued);
                    return;
                default:
                    // Parked: it enters its lane when what it waits for is given back (see ReleaseConstraints).
                    Interlocked.Decrement(ref _queued);
                    return;
            }
        }

        if (WriteToLane(queued, lane))
        {
            Wake();
        }
    }

    /// <summary>
    /// Writes a job that holds a place in the queue (and is counted in <see cref="_queued"/>) into its lane. Once the
    /// pool stops, the queue takes nothing more: the job gives its place back and fails with the stop's error.
    /// </summary>
    private bool WriteToLane(PendingRef queued, int lane)
    {
        if (_lanes[lane].Writer.TryWrite(queued))
        {
            return true;
        }

        _room.Release();
        Interlocked.Decrement(ref _queued);
        _ledger.Fail(queued.Job, queued.Generation, _stoppedError());
        return false;
    }

    /// <summary>
    /// A constrained job ended (its claim): gives back its key and its place under its type's cap, and sends the jobs
    /// that waited for them to their lanes.
    /// </summary>
    public void ReleaseConstraints(JobConstraints.ConstraintTicket constraints)
    {
        var admitted = new List<JobConstraints.ConstraintTicket>();
        if (_constraints.Release(constraints, admitted, admitMore: !_queueClosed))
        {
            // It ended while parked: it never reached a lane, so the loop will not free its place.
            _room.Release();
        }

        foreach (JobConstraints.ConstraintTicket next in admitted)
        {
            Interlocked.Increment(ref _queued);
            WriteToLane(next.Job, next.Lane);
        }

        if (admitted.Count > 0)
        {
            Wake();
        }
    }

    /// <summary>Gets how many jobs wait for their key or their type's cap (they count in <see cref="QueueDepth"/> too).</summary>
    public int ParkedCount => _constraints.ParkedCount;

    /// <summary>The lane of a priority: Low 0, Normal 1, High 2.</summary>
    public static int LaneOf(JobPriority priority) => priority switch
    {
        JobPriority.Low => 0,
        JobPriority.High => 2,
        _ => 1,
    };

    /// <summary>A job that held a place ended (<paramref name="worker"/> -1: it was still queued).</summary>
    public void Released(int worker)
    {
        // Only a job in the queue can use the place: with none, the loop has nothing to do (and no wake-up per job).
        // Dekker with Accept: the count is read after the ledger's release (both interlocked), so a job queued after
        // this read finds the place free when the loop selects a worker for it.
        if (Volatile.Read(ref _queued) != 0)
        {
            Wake();
        }
    }

    /// <summary>Wakes the loop: a worker has room or became ready, a queued job ended, or the pool stops.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>
    /// Sends a cancel envelope. It cannot overtake its job: a job's end waits while its send is under way, and a cancel
    /// is sent only after the end. Returns <see langword="false"/> if the worker is gone.
    /// </summary>
    public bool SendCancel(int worker, JobId id)
    {
        try
        {
            _transport.Send(worker, WorkerMessage.Cancel(id));
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Sends no job from now on (a job's cancel still goes out): the pool aborts what it holds.</summary>
    public void StopSending()
    {
        // Dekker with Send: the flag before the abort's sweep of the ledgers, the sender's job in a ledger before its
        // read of the flag.
        Volatile.Write(ref _sendsStopped, true);
        Interlocked.MemoryBarrier();
    }

    /// <summary>Accepts nothing more into the queue; the loop fails what is left once the pool is stopped.</summary>
    public void CompleteQueue()
    {
        _queueClosed = true;
        foreach (Channel<PendingRef> lane in _lanes)
        {
            lane.Writer.TryComplete();
        }

        // Callers that wait for room stop waiting and fail with the stop's error.
        _closed.Cancel();
        Wake();
    }

    /// <summary>The loop: takes queued jobs out, by priority, only when a worker can have them.</summary>
    public async Task RunAsync()
    {
        try
        {
            while (true)
            {
                // Peek, and take the job out only when a worker can have it: the queue then holds exactly the jobs
                // that wait, so its capacity is the backpressure bound the caller configured.
                // A queued job may end (and its instance serve a later dispatch) at any time: everything below names
                // the generation it was queued in, and reads of its fields are checked against it.
                int lane = NextLane(out PendingRef queued);
                if (lane < 0)
                {
                    if (Array.TrueForAll(_lanes, l => l.Reader.Completion.IsCompleted))
                    {
                        return;
                    }

                    await _wake.Reader.ReadAsync().ConfigureAwait(false);
                    continue;
                }

                (PendingJob job, long generation) = queued;
                if (job.IsDone(generation) || !job.TryReadInput(generation, out string jobName, out JobPayload payload) || !job.TryReadPlacement(generation, out JobPlacement placement))
                {
                    Take(lane);
                    continue;
                }

                // An input quarantined while it waited is not sent to kill another worker.
                if (_ledger.Refusal(jobName, payload) is { } quarantined)
                {
                    Take(lane);
                    _ledger.Fail(job, generation, quarantined);
                    continue;
                }

                int worker;
                int entry;
                lock (_sendGate)
                {
                    worker = SelectWorker(placement, out entry);
                }

                if (worker >= 0)
                {
                    Take(lane);
                    if (Send(job, generation, worker, entry, _time.GetTimestamp(), fromQueue: true) is { } sendError)
                    {
                        _ledger.Fail(job, generation, sendError);
                    }

                    continue;
                }

                if (Array.TrueForAll(_slots, s => s.State == WorkerState.Evicted))
                {
                    Take(lane);
                    _ledger.Fail(job, generation, new NoLiveWorkersException($"Pool '{_poolName}' has no worker left that can run jobs: every worker was evicted after repeated failures."));
                    continue;
                }

                if (_lifecycle.IsStopped)
                {
                    Take(lane);
                    _ledger.Fail(job, generation, _stoppedError());
                    continue;
                }

                // No worker has room: wait until a job completes, a worker becomes ready, or the pool stops.
                await _wake.Reader.ReadAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, _poolName, ex);
            throw;
        }
    }

    /// <summary>
    /// The lane whose head leaves next, and that head; -1 when every lane is empty. The highest non-empty lane, unless a
    /// lower lane has waited through <see cref="WorkerPoolDefaults.PriorityShare"/> departures from above (the lowest
    /// such lane first).
    /// </summary>
    private int NextLane(out PendingRef head)
    {
        int top = _lanes.Length - 1;
        while (top >= 0 && !_lanes[top].Reader.TryPeek(out _))
        {
            top--;
        }

        for (int lane = 0; lane < top; lane++)
        {
            if (_passedOver[lane] >= WorkerPoolDefaults.PriorityShare && _lanes[lane].Reader.TryPeek(out head))
            {
                return lane;
            }
        }

        if (top >= 0 && _lanes[top].Reader.TryPeek(out head))
        {
            return top;
        }

        head = default;
        return -1;
    }

    /// <summary>Takes the head of <paramref name="lane"/> out (the loop peeked it) and counts the departure for the lanes below.</summary>
    private void Take(int lane)
    {
        bool taken = _lanes[lane].Reader.TryRead(out _);
        Debug.Assert(taken, "Only the loop reads the queue, and it takes only a job it peeked.");
        _passedOver[lane] = 0;
        for (int below = 0; below < lane; below++)
        {
            _passedOver[below] = _lanes[below].Reader.TryPeek(out _) ? _passedOver[below] + 1 : 0;
        }

        _room.Release();
        Interlocked.Decrement(ref _queued);
    }

    /// <summary>
    /// Sends the job from the caller's thread when nothing waits in the queue and a worker has room: the hop through the
    /// queue and the loop (a thread wake-up, often on the other core) is skipped on the common path. Jobs that find the
    /// queue non-empty go behind it, so a waiting job is never overtaken by a later one.
    /// </summary>
    private bool TrySendNow(PendingJob job, long generation, in JobPlacement placement)
    {
        // Stopping: the job goes to the queue path, which fails it. A stop that begins after this read is caught by
        // the send: it publishes the job in the worker's ledger, fences, then reads the stop flag (see the class).
        if (_lifecycle.IsStopping)
        {
            return false;
        }

        if (Volatile.Read(ref _queued) != 0)
        {
            return false;
        }

        int worker;
        int entry;
        if (_lockFreePlacement && !_picker.Narrowing && !_starts.AnyStarting)
        {
            worker = ReserveRoundRobin(out entry);
        }
        else
        {
            lock (_sendGate)
            {
                entry = -1;
                worker = Volatile.Read(ref _queued) == 0 ? SelectWorker(placement, out entry) : -1;
            }
        }

        if (worker < 0)
        {
            return false;
        }

        // Sent on the accepting thread, a moment after its acceptance: that timestamp serves as the send time too
        // (one clock read less per job; the round trip then includes the admission, the queue wait is zero).
        if (Send(job, generation, worker, entry, job.Timestamp, fromQueue: false) is { } sendError)
        {
            _ledger.Fail(job, generation, sendError);
        }

        return true;
    }

    private async Task EnqueueWhenRoomAsync(PendingRef queued, int lane, JobConstraints.ConstraintTicket? constraints, CancellationToken callerToken)
    {
        // Counted as queued while it waits for room, so that later jobs do not overtake it by the direct path.
        Interlocked.Increment(ref _queued);
        try
        {
            using var stopOrCancel = CancellationTokenSource.CreateLinkedTokenSource(callerToken, _closed.Token);
            await _room.WaitAsync(stopOrCancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Decrement(ref _queued);
            if (!callerToken.IsCancellationRequested)
            {
                // The pool stops (the caller's own cancel is ended by the registration on its token).
                _ledger.Fail(queued.Job, queued.Generation, _stoppedError());
            }

            return;
        }

        Enqueue(queued, lane, constraints);
    }

    /// <summary>
    /// Picks a ready worker with room and reserves an entry in its ledger, or returns -1 (also once sends stopped).
    /// Called under <see cref="_sendGate"/>. A lock-free sender may take the room the picker saw: then it picks again.
    /// </summary>
    private int SelectWorker(in JobPlacement placement, out int entry)
    {
        Debug.Assert(_sendGate.IsHeldByCurrentThread, "The picker is single-threaded: used under the send lock only.");
        entry = -1;
        while (!Volatile.Read(ref _sendsStopped))
        {
            int worker = _picker.Pick(placement, Volatile.Read(ref _queued));
            if (worker < 0 || _slots[worker].Ledger.TryReserve(out entry))
            {
                return worker;
            }
        }

        return -1;
    }

    /// <summary>
    /// The lock-free placement of the built-in round-robin strategy: the next ready worker with room, from the cursor
    /// on; its entry reserved. Returns -1 if every worker is busy or not ready (the job then queues).
    /// </summary>
    private int ReserveRoundRobin(out int entry)
    {
        uint count = (uint)_slots.Length;
        uint start = _cursor;
        for (uint step = 0; step < count; step++)
        {
            int worker = (int)((start + step) % count);
            WorkerSlot slot = _slots[worker];
            if (slot.State == WorkerState.Ready && slot.Ledger.TryReserve(out entry))
            {
                _cursor = (uint)worker + 1;
                return worker;
            }
        }

        entry = -1;
        return -1;
    }

    /// <summary>
    /// Hands the job to a worker whose ledger entry <paramref name="entry"/> is reserved for it. Returns the error to
    /// fail the job with (a caller is never completed here), or <see langword="null"/>.
    /// </summary>
    /// <remarks>
    /// The envelope is read before the claim: once the job is Sending, no other path may end it until the send is
    /// done, so the generation is this sender's; the claim succeeding proves what was read belongs to it.
    /// </remarks>
    private Exception? Send(PendingJob job, long generation, int worker, int entry, long now, bool fromQueue)
    {
        string jobName = job.JobName;
        JobPayload payload = job.Payload;
        string? traceParent = job.TraceParent;
        string? traceState = job.TraceState;
        long accepted = job.Timestamp;
        WorkerSlot slot = _slots[worker];
        if (!job.TryBeginSend(generation))
        {
            // Ended (canceled, timed out, aborted) after it was picked up: nothing to send.
            _ledger.ReleaseEntry(worker, entry);
            Wake();
            return null;
        }

        JobId id = slot.Ledger.NextId(entry);

        // With poison detection on, the input stays until the job ends: a crash keys its strike by the input.
        job.SetSent(id, worker, now, releasePayload: _ledger.Poison is null);
        slot.Ledger.Publish(entry, job);
        if (fromQueue)
        {
            _ledger.SentFromQueue(job, generation);
        }

        // Dekker with the worker's loss and with the pool's abort (see the remarks on the class).
        Interlocked.MemoryBarrier();
        Exception? error = null;
        if (Volatile.Read(ref _sendsStopped))
        {
            error = _stoppedError();
        }
        else if (slot.State != WorkerState.Ready)
        {
            // Lost after it was picked: the job goes down with it, as if sent a moment earlier.
            error = new WorkerCrashedException(worker, "the worker was lost while the job was being sent to it");
        }
        else
        {
            _telemetry.Sent(job, jobName, accepted, now);
            try
            {
                _transport.Send(worker, WorkerMessage.Job(id, jobName, payload, traceParent, traceState));
            }
            catch (Exception ex)
            {
                error = ex as SchedulerException ?? new TransportException($"Could not send job '{jobName}' to worker {worker}: {ex.Message}", ex);
            }
        }

        job.EndSending(generation);
        return error;
    }
}
