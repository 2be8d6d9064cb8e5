namespace Awsm.Scheduler.Internal;

/// <summary>The pool's view of one worker index across its incarnations. State changes happen under the pool's lock.</summary>
internal sealed class WorkerSlot(int index)
{
    private int _inFlight;
    private long _completed;

    public int Index { get; } = index;

    /// <summary>Gets or sets the lifecycle state; read without the lock by the dispatcher.</summary>
    public volatile WorkerState State;

    public int InFlight => Volatile.Read(ref _inFlight);

    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Crashes and failed starts since the last job this worker completed.</summary>
    public int ConsecutiveFailures { get; set; }

    public int Crashes { get; set; }

    public ITimer? RespawnTimer { get; set; }

    public void AddInFlight() => Interlocked.Increment(ref _inFlight);

    public void RemoveInFlight() => Interlocked.Decrement(ref _inFlight);

    public void AddCompleted() => Interlocked.Increment(ref _completed);

    public WorkerStats ToStats() => new(Index, State, InFlight, Completed, Crashes);
}
