namespace Awsm.Scheduler.Internal;

/// <summary>The pool's view of one worker index across its incarnations. State changes happen under the supervisor's lock; in-flight counts belong to the dispatcher.</summary>
internal sealed class WorkerSlot(int index)
{
    private int _inFlight;
    private long _completed;
    private int _consecutiveFailures;

    public int Index { get; } = index;

    /// <summary>Gets or sets the lifecycle state; read without the lock by the dispatcher.</summary>
    public volatile WorkerState State;

    public int InFlight => Volatile.Read(ref _inFlight);

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

    public void AddInFlight() => Interlocked.Increment(ref _inFlight);

    public void RemoveInFlight() => Interlocked.Decrement(ref _inFlight);

    public void AddCompleted() => Interlocked.Increment(ref _completed);

    public WorkerStats ToStats() => new(Index, State, InFlight, Completed, Crashes);
}
