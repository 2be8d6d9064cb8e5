using System.Diagnostics;
using System.Threading.Tasks.Sources;
using Awsm.Scheduler.Transport;

namespace Awsm.Scheduler.Internal;

/// <summary>
/// One dispatch from the moment it is accepted until it ends. Its state moves Queued → Sent → Done or straight
/// Queued → Done; the move to Done happens exactly once (whoever wins the exchange completes the caller), which is
/// what makes "every dispatch ends exactly once" hold under races between results, crashes, timeouts and cancellation.
/// </summary>
/// <remarks>
/// <para>
/// An instance is reused for a later dispatch once its caller has taken the result (see
/// <see cref="PendingJob{TOutput}"/>). Each use is a <em>generation</em>, and the state word holds the generation with
/// the state (<c>generation &lt;&lt; 2 | state</c>). Whoever can still reach the instance after the job ended (its
/// timer and token callbacks, the queue, replies found through a worker's ledger, crash and abort sweeps, late replies) holds the
/// generation it was given with the instance and passes it to every call here: a transition is a compare-exchange of
/// the whole word, so a holder of an older generation changes nothing, and a read for it reports the job as ended.
/// </para>
/// <para>
/// The move to Sent goes through a Sending state, held by the sender while it writes the id, the worker index and the
/// send time and while the transport takes the envelope: a claim that finds it waits for Sent (so it never reads a
/// half-written send, a failed send never writes into a later generation, and a cancel never overtakes its job),
/// except the worker's own reply, which may end the job at once (see <see cref="TryMarkDone"/>).
/// </para>
/// </remarks>
internal abstract class PendingJob
{
    private const long QueuedState = 0;
    private const long SendingState = 1;
    private const long SentState = 2;
    private const long DoneState = 3;
    private const long StateMask = 3;
    private const int StateBits = 2;

    private long _state;
    private long _id;
    private ColdFields? _extras;

    protected PendingJob(string jobName, JobPayload payload, long acceptedTimestamp)
    {
        JobName = jobName;
        Payload = payload;
        Timestamp = acceptedTimestamp;
    }

    /// <summary>
    /// Gets the generation of the current use. Only meaningful to the thread that rented the job and has not returned
    /// it to its caller yet (the dispatching thread): everyone else gets the generation together with the job.
    /// </summary>
    public long Generation => Volatile.Read(ref _state) >> StateBits;

    /// <summary>Gets the job's id: given when it is sent (it names the worker's ledger entry), 0 until then.</summary>
    public JobId Id => new(Volatile.Read(ref _id));

    public string JobName { get; private set; }

    /// <summary>Gets the input; released once the job is sent so a large buffer is not kept alive while the job runs.</summary>
    public JobPayload Payload { get; private set; }

    /// <summary>
    /// Gets when the job was accepted, until it is sent; from then on, when it was sent. One field for both (8 B per job):
    /// the acceptance time is only needed to measure the wait in the queue, which the sender reads before the send
    /// overwrites it.
    /// </summary>
    public long Timestamp { get; private set; }

    /// <summary>Gets the worker the job was sent to; meaningful only once sent.</summary>
    public int WorkerIndex { get; private set; } = -1;

    // The fields below are cold: most dispatches have no trace, no cancellable token, no timeout and no progress. They live in a
    // side object allocated on the first non-default write (48 B less per job when none is used).
    public string? TraceParent
    {
        get => _extras?.TraceParent;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.TraceParent = value;
            }
        }
    }

    public string? TraceState
    {
        get => _extras?.TraceState;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.TraceState = value;
            }
        }
    }

    public Activity? Activity
    {
        get => _extras?.Activity;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.Activity = value;
            }
        }
    }

    public CancellationToken CallerToken
    {
        get => _extras?.CallerToken ?? default;
        set
        {
            if (value.CanBeCanceled || _extras is not null)
            {
                Extras.CallerToken = value;
            }
        }
    }

    public CancellationTokenRegistration CancellationRegistration
    {
        get => _extras?.CancellationRegistration ?? default;
        set
        {
            if (value != default || _extras is not null)
            {
                Extras.CancellationRegistration = value;
            }
        }
    }

    public ITimer? TimeoutTimer
    {
        get => _extras?.TimeoutTimer;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.TimeoutTimer = value;
            }
        }
    }

    /// <summary>Gets or sets where the job's progress reports go; <see langword="null"/> when the caller asked for none (a cold field).</summary>
    public ProgressRoute? Progress
    {
        get => _extras?.Progress;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.Progress = value;
            }
        }
    }

    /// <summary>Gets or sets the placement key the dispatch asked for (a cold field; written only while the job is admitted).</summary>
    public string? Key
    {
        get => _extras?.Key;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.Key = value;
            }
        }
    }

    /// <summary>Gets or sets the priority the dispatch asked for (a cold field; written only while the job is admitted).</summary>
    public JobPriority Priority
    {
        get => _extras?.Priority ?? JobPriority.Normal;
        set
        {
            if (value != JobPriority.Normal || _extras is not null)
            {
                Extras.Priority = value;
            }
        }
    }

    /// <summary>Gets or sets the job's standing under its key and type limits; <see langword="null"/> for a job with none (a cold field).</summary>
    public Pool.JobConstraints.ConstraintTicket? Constraints
    {
        get => _extras?.Constraints;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.Constraints = value;
            }
        }
    }

    /// <summary>
    /// Reads what a strategy sees of generation <paramref name="generation"/>; <see langword="false"/> if the instance
    /// moved on meanwhile (see <see cref="TryReadInput"/>).
    /// </summary>
    public bool TryReadPlacement(long generation, out JobPlacement placement)
    {
        placement = new JobPlacement(JobName, Key, Priority);
        Interlocked.MemoryBarrier();
        return (Volatile.Read(ref _state) >> StateBits) == generation;
    }

    /// <summary>Gets whether generation <paramref name="generation"/> has ended (or the instance has moved on).</summary>
    public bool IsDone(long generation)
    {
        long state = Volatile.Read(ref _state);
        return (state >> StateBits) != generation || (state & StateMask) == DoneState;
    }

    /// <summary>
    /// Reads generation <paramref name="generation"/>'s name and input; <see langword="false"/> if the instance moved
    /// on to a later generation meanwhile (what was read is then not this job's).
    /// </summary>
    public bool TryReadInput(long generation, out string jobName, out JobPayload payload)
    {
        jobName = JobName;
        payload = Payload;
        Interlocked.MemoryBarrier();
        return (Volatile.Read(ref _state) >> StateBits) == generation;
    }

    /// <summary>
    /// Claims generation <paramref name="generation"/> for a worker (Queued → Sending); fails if it already ended
    /// (canceled or timed out while queued). Until <see cref="EndSending"/>, no claim can complete the caller: a claim
    /// that finds the job Sending waits, so the job's cancel is never sent before the job itself.
    /// </summary>
    public bool TryBeginSend(long generation)
    {
        long queued = (generation << StateBits) | QueuedState;
        return Interlocked.CompareExchange(ref _state, (generation << StateBits) | SendingState, queued) == queued;
    }

    /// <summary>
    /// Writes what the send decided, while the job is Sending (no other path writes it then). With
    /// <paramref name="releasePayload"/>, the input is dropped in the same step (the sender read it into the envelope
    /// before; a large buffer is then not kept alive while the job runs).
    /// </summary>
    public void SetSent(JobId id, int workerIndex, long timestamp, bool releasePayload)
    {
        Debug.Assert((Volatile.Read(ref _state) & StateMask) == SendingState, "Only a sender writes the send, while it holds the job Sending.");
        Volatile.Write(ref _id, id.Value);
        WorkerIndex = workerIndex;
        Timestamp = timestamp;
        if (releasePayload)
        {
            Payload = default;
        }
    }

    /// <summary>
    /// The send is done (the transport has the envelope): Sending → Sent, unless the worker's reply already ended the
    /// job (a fast worker can answer before the sender gets here; see <see cref="TryMarkDone"/>).
    /// </summary>
    public void EndSending(long generation)
    {
        long sending = (generation << StateBits) | SendingState;
        Interlocked.CompareExchange(ref _state, (generation << StateBits) | SentState, sending);
    }

    /// <summary>
    /// Checks that this instance holds a job sent (or being sent) as <paramref name="id"/>, and gets its generation.
    /// <see langword="false"/> for a job that ended, moved on to a later generation, or was sent under another id.
    /// </summary>
    public bool TryMatchSent(JobId id, out long generation) =>
        TryReadSentId(out generation, out long seen) && seen == id.Value;

    /// <summary>Checks that this instance holds a job sent (or being sent) to <paramref name="worker"/>'s ledger entry <paramref name="entry"/>.</summary>
    public bool TryMatchSentTo(int worker, int entry, out long generation) =>
        TryReadSentId(out generation, out long seen)
        && Pool.WorkerLedger.TryDecode(new JobId(seen), out int sentWorker, out int sentEntry)
        && sentWorker == worker && sentEntry == entry;

    private bool TryReadSentId(out long generation, out long id)
    {
        long before = Volatile.Read(ref _state);
        long phase = before & StateMask;
        generation = before >> StateBits;
        id = Volatile.Read(ref _id);

        // The id is written while Sending, before the job is published anywhere: read between two reads of the same
        // Sending-or-Sent state of one generation, it is that generation's.
        long after = Volatile.Read(ref _state);
        return phase is SendingState or SentState
            && (after >> StateBits) == generation
            && (after & StateMask) is SendingState or SentState;
    }

    /// <summary>
    /// Moves generation <paramref name="generation"/> to Done. Returns <see langword="false"/> if another path already
    /// did (or the instance moved on); <paramref name="wasSent"/> tells whether a worker holds the job.
    /// </summary>
    /// <param name="generation">The generation the caller holds.</param>
    /// <param name="wasSent">Whether a worker holds (or held) the job.</param>
    /// <param name="byReply">
    /// Whether the worker's answer ends the job. An answer may claim a job that is still Sending: the worker has it, so
    /// nothing can overtake it any more, and the sender's <see cref="EndSending"/> then finds it ended. Every other path
    /// (cancel, timeout, crash, abort) waits for Sent, so a cancel it sends never reaches the worker before the job.
    /// </param>
    public bool TryMarkDone(long generation, out bool wasSent, bool byReply = false)
    {
        var spinner = default(SpinWait);
        while (true)
        {
            long state = Volatile.Read(ref _state);
            long phase = state & StateMask;
            if ((state >> StateBits) != generation || phase == DoneState)
            {
                wasSent = false;
                return false;
            }

            if (phase == SendingState && !byReply)
            {
                // The sender is handing the envelope to the transport (which never blocks): a moment. No sleeping: a
                // millisecond's sleep here would be a thousand times the wait.
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            if (Interlocked.CompareExchange(ref _state, (generation << StateBits) | DoneState, state) == state)
            {
                wasSent = phase != QueuedState;
                return true;
            }
        }
    }

    /// <summary>
    /// Makes the instance the next generation's job. Called only on an instance that ended and whose caller took the
    /// result (nothing can claim it: every holder has an older generation); the new state is written last.
    /// </summary>
    protected void Reuse(string jobName, JobPayload payload, long acceptedTimestamp)
    {
        long state = Volatile.Read(ref _state);
        Debug.Assert((state & StateMask) == DoneState, "Only an ended job is reused.");
        _id = 0;
        JobName = jobName;
        Payload = payload;
        Timestamp = acceptedTimestamp;
        WorkerIndex = -1;
        _extras = null;
        Volatile.Write(ref _state, ((state >> StateBits) + 1) << StateBits);
    }

    /// <summary>Drops what the ended job referenced (its input, its trace, its callbacks' state), before the instance waits for reuse.</summary>
    protected void ClearForReuse()
    {
        Payload = default;
        _extras = null;
    }

    /// <summary>
    /// Decodes the worker's output and keeps it for <see cref="SetDecodedResult"/>, so that the outcome can be recorded
    /// before the caller resumes. Returns the decoding error instead of throwing it; the caller is not completed.
    /// </summary>
    public abstract SchedulerException? TryDecodeOutput(JobPayload output);

    /// <summary>Completes the caller with the output <see cref="TryDecodeOutput"/> decoded.</summary>
    public abstract void SetDecodedResult();

    public abstract void SetException(Exception exception);

    public abstract void SetCanceled(CancellationToken cancellationToken);

    /// <summary>
    /// Written only by the dispatching thread while it admits the job (telemetry, token, timer); other threads read
    /// the cold fields after the job is visible to them, or find <see langword="null"/> and take the same path they
    /// take for a field not yet written (see <see cref="Pool.JobLedger.Admit"/>).
    /// </summary>
    private ColdFields Extras => _extras ??= new ColdFields();

    private sealed class ColdFields
    {
        public string? TraceParent;
        public string? TraceState;
        public Activity? Activity;
        public CancellationToken CallerToken;
        public CancellationTokenRegistration CancellationRegistration;
        public ITimer? TimeoutTimer;
        public ProgressRoute? Progress;
        public string? Key;
        public JobPriority Priority;
        public Pool.JobConstraints.ConstraintTicket? Constraints;
    }
}
