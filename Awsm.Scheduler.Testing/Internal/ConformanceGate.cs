namespace Awsm.Scheduler.Testing.Internal;

/// <summary>The scenario's handle on one gate of the driver's <see cref="GateBoard"/>.</summary>
internal sealed class ConformanceGate
{
    private readonly GateBoard _board;
    private readonly TimeSpan _guard;

    public ConformanceGate(GateBoard board, TimeSpan guard, bool ignoreCancellation)
    {
        _board = board;
        _guard = guard;
        Key = Guid.NewGuid().ToString("N");
        IgnoreCancellation = ignoreCancellation;
    }

    public string Key { get; }

    public bool IgnoreCancellation { get; }

    /// <summary>Gets a value indicating whether the job has started (without waiting).</summary>
    public bool HasStarted => _board.WhenStarted(Key).IsCompleted;

    /// <summary>Completes with the worker index once the job started; fails after the hang guard.</summary>
    public Task<int> Started() => _board.WhenStarted(Key).WaitAsync(_guard);

    /// <summary>Completes once the job's worker-side token fired; fails after the hang guard.</summary>
    public Task TokenFired() => _board.WhenTokenFired(Key).WaitAsync(_guard);

    public void Release() => _board.Release(Key);
}
