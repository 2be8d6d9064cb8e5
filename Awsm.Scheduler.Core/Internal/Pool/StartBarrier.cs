namespace Awsm.Scheduler.Internal.Pool;

/// <summary>
/// The pool's first start: one waiter per worker, and the first failure, which ends the wait at once (a start does
/// not sit out the other workers' timeouts once one worker could not start). Thread-safe; every task it hands out is
/// observed, so a failed or abandoned start never surfaces as an unobserved exception.
/// </summary>
internal sealed class StartBarrier
{
    private readonly TaskCompletionSource[] _workers;
    private readonly TaskCompletionSource<WorkerStartException> _firstFailure = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StartBarrier(int workerCount)
    {
        _workers = new TaskCompletionSource[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            _workers[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Waits until every worker is ready; throws the first worker's start failure.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        Task allReady = Task.WhenAll(_workers.Select(w => w.Task));
        _ = allReady.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        await Task.WhenAny(_firstFailure.Task, allReady).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_firstFailure.Task.IsCompleted)
        {
            throw await _firstFailure.Task.ConfigureAwait(false);
        }
    }

    public void Ready(int worker) => _workers[worker].TrySetResult();

    public void Failed(WorkerStartException error)
    {
        _workers[error.WorkerIndex].TrySetException(error);
        _ = _workers[error.WorkerIndex].Task.Exception;
        _firstFailure.TrySetResult(error);
    }

    /// <summary>The pool stopped: whoever still waits gives up.</summary>
    public void Abandon()
    {
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i].TrySetException(new WorkerStartException(i, "the pool was stopped before the worker was ready"));
            _ = _workers[i].Task.Exception;
        }

        _firstFailure.TrySetResult(new WorkerStartException(0, "the pool was stopped before its workers were ready"));
    }
}
