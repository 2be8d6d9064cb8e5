namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// The pool's first start: passes once every worker is ready, or ends at the first failure (a start does not sit out
/// the other workers' timeouts once one worker could not start). Thread-safe.
/// </summary>
/// <remarks>
/// The outcome is decided once, under a lock, and only then made visible: a waiter never sees the barrier end without
/// seeing why. (The barrier used to fault a per-worker task before it recorded the failure, so a waiter resumed by the
/// last pending worker's fault could read "no failure" and report the pool started with that worker in
/// <see cref="WorkerState.Respawning"/>, no respawn planned, and every dispatch waiting forever.)
/// </remarks>
internal sealed class StartBarrier
{
    private readonly Lock _gate = new();
    private readonly bool[] _ready;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private bool _passed;
    private WorkerStartException? _failure;

    public StartBarrier(int workerCount)
    {
        _ready = new bool[workerCount];
        _pending = workerCount;
        if (workerCount == 0)
        {
            _passed = true;
            _ended.SetResult();
        }
    }

    /// <summary>Waits until every worker is ready; throws the first worker's start failure.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        WorkerStartException? failure;
        lock (_gate)
        {
            failure = _failure;
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    public void Ready(int worker)
    {
        lock (_gate)
        {
            if (_failure is not null || _ready[worker])
            {
                return;
            }

            _ready[worker] = true;
            if (--_pending != 0)
            {
                return;
            }

            _passed = true;
        }

        _ended.TrySetResult();
    }

    /// <summary>A worker failed while the pool starts.</summary>
    /// <returns>
    /// <see langword="true"/> if this fails the start (now or already); <see langword="false"/> if every worker had
    /// been ready before: the start succeeded, and the loss is an ordinary one, with a respawn.
    /// </returns>
    public bool Failed(WorkerStartException error)
    {
        lock (_gate)
        {
            if (_passed)
            {
                return false;
            }

            _failure ??= error;
        }

        _ended.TrySetResult();
        return true;
    }

    /// <summary>The pool stopped: whoever still waits gives up.</summary>
    public void Abandon() => Failed(new WorkerStartException(0, "the pool was stopped before its workers were ready"));
}
