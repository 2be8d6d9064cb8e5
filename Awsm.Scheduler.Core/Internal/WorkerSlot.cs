namespace Awsm.Scheduler.Internal;

/// <summary>
/// The pool's view of one worker index across its incarnations. State changes happen under the supervisor's lock; the
/// jobs the worker holds are in its <see cref="Pool.WorkerLedger"/>.
/// </summary>
internal sealed class WorkerSlot(int index, int maxInFlight, WorkerSlot.StartCounter starts)
{
    private long _completed;
    private volatile WorkerState _state;
    private int _consecutiveFailures;

    public int Index { get; } = index;

    /// <summary>Gets or sets the lifecycle state; read without the lock by the dispatcher.</summary>
    public WorkerState State
    {
        get => _state;
        set
        {
            // Set under the supervisor's lock only: one writer at a time, so the count below needs no loop.
            WorkerState old = _state;
            if ((old == WorkerState.Starting) != (value == WorkerState.Starting))
            {
                Interlocked.Add(ref starts.Value, value == WorkerState.Starting ? 1 : -1);
            }

            _state = value;
        }
    }

    /// <summary>Gets the jobs this worker holds: its capacity, its pending map and its crash list.</summary>
    public Pool.WorkerLedger Ledger { get; } = new(index, maxInFlight);

    public int InFlight => Ledger.Count;

    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Crashes and failed starts since the last job this worker completed.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>Counts a crash or failed start; returns the streak so far.</summary>
    public int AddFailure() => Interlocked.Increment(ref _consecutiveFailures);

    /// <summary>A job completed: the streak is over. Lock-free, because replies may arrive on any thread.</summary>
    public void ResetFailures()
    {
        if (Volatile.Read(ref _consecutiveFailures) != 0)
        {
            Interlocked.Exchange(ref _consecutiveFailures, 0);
        }
    }

    public int Crashes { get; set; }

    public ITimer? RespawnTimer { get; set; }

    /// <summary>Gets or sets the timer that fails the current start if the worker is not ready in time.</summary>
    public ITimer? StartTimer { get; set; }

    /// <summary>Gets or sets the number of starts so far; a start timer acts only on the start it was armed for.</summary>
    public int StartVersion { get; set; }

    public void AddCompleted() => Interlocked.Increment(ref _completed);

    /// <summary>
    /// The incarnation the pool hears from and where it is in its life (<see cref="Pool.Voice"/>), one word: set when a
    /// start begins (under the supervisor's lock), moved on by a compare-exchange when the writer accepts an outcome or the
    /// supervisor loses the worker, read without a lock for every reply.
    /// </summary>
    public long Voice = Pool.Voice.Pack(0, Pool.Voice.Dead);

    /// <summary>A start of <paramref name="incarnation"/> begins: from now on only it is heard. Called under the supervisor's lock.</summary>
    public void Hear(int incarnation) => Volatile.Write(ref Voice, Pool.Voice.Pack(incarnation, Pool.Voice.Starting));

    /// <summary>The supervisor lost the worker (a crash, a failed or timed-out start, a terminate): its current incarnation says nothing more.</summary>
    public void Silence()
    {
        long seen = Volatile.Read(ref Voice);
        Pool.Voice.TryMove(ref Voice, Pool.Voice.IncarnationOf(seen), (1 << (int)Pool.Voice.Starting) | (1 << (int)Pool.Voice.Ready), Pool.Voice.Dead);
    }

    public WorkerStats ToStats() => new(Index, State, InFlight, Completed, Crashes);

    /// <summary>How many of a pool's workers are starting, shared by its slots: the dispatcher's lock-free placement reads it.</summary>
    internal sealed class StartCounter
    {
        public int Value;

        public bool AnyStarting => Volatile.Read(ref Value) != 0;
    }
}
