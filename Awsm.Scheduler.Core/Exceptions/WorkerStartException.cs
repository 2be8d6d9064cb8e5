namespace Awsm.Scheduler;

/// <summary>A worker failed to start: it reported an init error, crashed, or was not ready within the start timeout.</summary>
public sealed class WorkerStartException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="workerIndex">The worker that failed to start.</param>
    /// <param name="reason">Why.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public WorkerStartException(int workerIndex, string reason, Exception? innerException = null)
        : base($"Worker {workerIndex} failed to start: {reason}", innerException)
    {
        WorkerIndex = workerIndex;
        Reason = reason;
    }

    /// <summary>Gets the index of the worker that failed to start.</summary>
    public int WorkerIndex { get; }

    /// <summary>Gets why the worker failed to start.</summary>
    public string Reason { get; }
}
