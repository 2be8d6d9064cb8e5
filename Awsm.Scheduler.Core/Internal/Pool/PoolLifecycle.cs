namespace Awsm.Scheduler.Internal.Pool;

/// <summary>The pool's phase. Written by <see cref="WorkerPool"/> under its lifecycle lock; read by every collaborator.</summary>
internal sealed class PoolLifecycle
{
    private volatile PoolPhase _phase;

    public PoolPhase Phase => _phase;

    public bool IsStopping => _phase >= PoolPhase.Stopping;

    public bool IsStopped => _phase == PoolPhase.Stopped;

    /// <summary>Moves to <paramref name="next"/>; phases only move forward.</summary>
    public void MoveTo(PoolPhase next)
    {
        System.Diagnostics.Debug.Assert(next >= _phase, $"The pool's phase moves forward only ({_phase} → {next}).");
        _phase = next;
    }
}

/// <summary>The phases of a pool, in order.</summary>
internal enum PoolPhase
{
    Created,
    Starting,
    Running,
    Stopping,
    Stopped,
}
