using System.Diagnostics;
using System.Threading.Channels;
using Awsm.Scheduler.Telemetry;
using Awsm.Scheduler.Transport;
using Microsoft.Extensions.Logging;

namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// Placement: the bounded queue of jobs that wait for a worker, the loop that drains it, and the per-worker in-flight
/// counts the <see cref="WorkerPicker"/> sees. Selection and <see cref="IWorkerTransport.Send"/>
/// happen under <see cref="_sendGate"/>: the strategy and the candidate buffer are single-threaded, a worker's
/// in-flight limit is checked and taken at once, and a job's cancel (sent under the same lock) never overtakes it.
/// </summary>
internal sealed class Dispatcher
{
    private readonly Channel<PendingRef> _queue;
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
        PoolLifecycle lifecycle,
        JobLedger ledger,
        PoolTelemetry telemetry,
        Func<Exception> stoppedError)
    {
        _poolName = poolName;
        _transport = transport;
        _logger = logger;
        _time = time;
        _picker = new WorkerPicker(slots, options.Strategy ?? WorkerSelectionStrategies.RoundRobin(), options.MaxInFlightPerWorker);
        _slots = slots;
        _lifecycle = lifecycle;
        _ledger = ledger;
        _telemetry = telemetry;
        _stoppedError = stoppedError;
        _queueCapacity = options.QueueCapacity;
        _queueFullMode = options.QueueFullMode;
        _queue = Channel.CreateBounded<PendingRef>(new BoundedChannelOptions(_queueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>
    /// Gets how many jobs wait for a worker. A job that ends while queued (canceled, timed out) stays in the channel
    /// until the loop drops it, a moment later; it is not counted: no more jobs can wait than are pending and not sent.
    /// </summary>
    public int QueueDepth => Math.Min(_queue.Reader.Count, Math.Max(0, _ledger.Count - InFlight));

    /// <summary>
    /// Gets the send lock, for the supervisor to take a worker out of rotation under it (lock order: supervisor, then
    /// send): a job is then either sent before the worker's loss is recorded, and failed by the loss, or not sent to it.
    /// </summary>
    public Lock SendLock => _sendGate;

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

    /// <summary>Sends an admitted job now, or queues it; a full queue rejects it or waits, as configured.</summary>
    /// <remarks>Called by the dispatching thread, which holds the job's current generation (see <see cref="JobLedger.Admit"/>).</remarks>
    public void Accept(PendingJob job)
    {
        long generation = job.Generation;
        if (TrySendNow(job, generation))
        {
            return;
        }

        Interlocked.Increment(ref _queued);
        if (_queue.Writer.TryWrite(new PendingRef(job, generation)))
        {
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
            _ = EnqueueWhenRoomAsync(new PendingRef(job, generation), job.CallerToken);
        }
    }

    /// <summary>A job that held a place ended (<paramref name="worker"/> -1: it was still queued).</summary>
    public void Released(int worker)
    {
        if (worker >= 0)
        {
            _slots[worker].RemoveInFlight();
        }

        // Only a job in the queue can use the place: with none, the loop has nothing to do (and no wake-up per job).
        // Dekker with Accept: the count is read after the release above (both interlocked), so a job queued after this
        // read finds the place free when the loop selects a worker for it.
        if (Volatile.Read(ref _queued) != 0)
        {
            Wake();
        }
    }

    /// <summary>Wakes the loop: a worker has room or became ready, a queued job ended, or the pool stops.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Sends a cancel envelope behind the job it cancels. Returns <see langword="false"/> if the worker is gone.</summary>
    public bool SendCancel(int worker, JobId id)
    {
        try
        {
            lock (_sendGate)
            {
                _transport.Send(worker, WorkerMessage.Cancel(id));
            }

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
        lock (_sendGate)
        {
            _sendsStopped = true;
        }
    }

    /// <summary>Accepts nothing more into the queue; the loop fails what is left once the pool is stopped.</summary>
    public void CompleteQueue() => _queue.Writer.TryComplete();

    /// <summary>The loop: takes queued jobs out only when a worker can have them.</summary>
    public async Task RunAsync()
    {
        ChannelReader<PendingRef> reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                // Peek, and take the job out only when a worker can have it: the queue then holds exactly the jobs
                // that wait, so its capacity is the backpressure bound the caller configured.
                // A queued job may end (and its instance serve a later dispatch) at any time: everything below names
                // the generation it was queued in, and reads of its fields are checked against it.
                while (reader.TryPeek(out PendingRef queued))
                {
                    (PendingJob job, long generation) = queued;
                    if (job.IsDone(generation) || !job.TryReadInput(generation, out string jobName, out JobPayload payload))
                    {
                        Take(reader);
                        continue;
                    }

                    // An input quarantined while it waited is not sent to kill another worker.
                    if (_ledger.Refusal(jobName, payload) is { } quarantined)
                    {
                        Take(reader);
                        _ledger.Fail(job, generation, quarantined);
                        continue;
                    }

                    int worker;
                    Exception? sendError = null;
                    lock (_sendGate)
                    {
                        worker = SelectWorker();
                        if (worker >= 0)
                        {
                            Take(reader);
                            sendError = Send(job, generation, worker, _time.GetTimestamp());
                        }
                    }

                    if (worker >= 0)
                    {
                        if (sendError is not null)
                        {
                            _ledger.Fail(job, generation, sendError);
                        }

                        continue;
                    }

                    if (Array.TrueForAll(_slots, s => s.State == WorkerState.Evicted))
                    {
                        Take(reader);
                        _ledger.Fail(job, generation, new NoLiveWorkersException($"Pool '{_poolName}' has no worker left that can run jobs: every worker was evicted after repeated failures."));
                        continue;
                    }

                    if (_lifecycle.IsStopped)
                    {
                        Take(reader);
                        _ledger.Fail(job, generation, _stoppedError());
                        continue;
                    }

                    // No worker has room: wait until a job completes, a worker becomes ready, or the pool stops.
                    await _wake.Reader.ReadAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, _poolName, ex);
            throw;
        }
    }

    private void Take(ChannelReader<PendingRef> reader)
    {
        bool taken = reader.TryRead(out _);
        Debug.Assert(taken, "Only the loop reads the queue, and it takes only a job it peeked.");
        Interlocked.Decrement(ref _queued);
    }

    /// <summary>
    /// Sends the job from the caller's thread when nothing waits in the queue and a worker has room: the hop through the
    /// queue and the loop (a thread wake-up, often on the other core) is skipped on the common path. Jobs that find the
    /// queue non-empty go behind it, so a waiting job is never overtaken by a later one.
    /// </summary>
    private bool TrySendNow(PendingJob job, long generation)
    {
        // Stopping: the job goes to the queue path, which fails it; the stop fails what the map holds, and this job
        // was in the map before the read below, so a stop that began after it still finds it.
        if (_lifecycle.IsStopping)
        {
            return false;
        }

        Exception? sendError;
        lock (_sendGate)
        {
            if (Volatile.Read(ref _queued) != 0)
            {
                return false;
            }

            int worker = SelectWorker();
            if (worker < 0)
            {
                return false;
            }

            // Sent on the accepting thread, a moment after its acceptance: that timestamp serves as the send time too
            // (one clock read less per job; the round trip then includes the admission, the queue wait is zero).
            sendError = Send(job, generation, worker, job.Timestamp);
        }

        if (sendError is not null)
        {
            _ledger.Fail(job, generation, sendError);
        }

        return true;
    }

    private async Task EnqueueWhenRoomAsync(PendingRef queued, CancellationToken callerToken)
    {
        try
        {
            // The caller's token is already wired to the job; a canceled job is skipped by the loop, so the write
            // only needs to stop waiting when the job ended for any reason.
            Interlocked.Increment(ref _queued);
            await _queue.Writer.WriteAsync(queued, callerToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The registration on the caller's token ends the job.
            Interlocked.Decrement(ref _queued);
        }
        catch (ChannelClosedException)
        {
            Interlocked.Decrement(ref _queued);
            _ledger.Fail(queued.Job, queued.Generation, _stoppedError());
        }
    }

    /// <summary>Picks a ready worker with room, or -1 (also once sends stopped). Called under <see cref="_sendGate"/>.</summary>
    private int SelectWorker()
    {
        Debug.Assert(_sendGate.IsHeldByCurrentThread, "The picker is single-threaded: used under the send lock only.");
        return _sendsStopped ? -1 : _picker.Pick(Volatile.Read(ref _queued));
    }

    /// <summary>
    /// Hands the job to a worker. Called under <see cref="_sendGate"/>; returns the error to fail the job with once the
    /// lock is released (a caller is never completed under a lock), or <see langword="null"/>.
    /// </summary>
    /// <remarks>
    /// The envelope is read before the claim: once the job is marked sent, another path may end it and its instance
    /// serve a later dispatch, so nothing of it is read after the claim. The claim succeeding proves what was read
    /// belongs to <paramref name="generation"/> (the generation was still queued then).
    /// </remarks>
    private Exception? Send(PendingJob job, long generation, int worker, long now)
    {
        JobId id = job.Id;
        string jobName = job.JobName;
        WorkerMessage envelope = WorkerMessage.Job(id, jobName, job.Payload, job.TraceParent, job.TraceState);
        long accepted = job.Timestamp;
        WorkerSlot slot = _slots[worker];
        slot.AddInFlight();

        // With poison detection on, the input stays until the job ends: a crash keys its strike by the input.
        if (!job.TryMarkSent(generation, worker, now, releasePayload: _ledger.Poison is null))
        {
            // Ended (canceled, timed out, aborted) after it was picked up: nothing to send.
            slot.RemoveInFlight();
            Wake();
            return null;
        }

        _telemetry.Sent(jobName, accepted, now);
        try
        {
            _transport.Send(worker, envelope);
            return null;
        }
        catch (Exception ex)
        {
            return ex as SchedulerException ?? new TransportException($"Could not send job '{jobName}' to worker {worker}: {ex.Message}", ex);
        }
    }
}
