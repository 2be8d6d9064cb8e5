namespace Awsm.Scheduler;

/// <summary>
/// The worker crashed or was terminated while it held the job. Only that worker's jobs fail this way;
/// the pool replaces the worker. Transient: a retry goes to a live worker.
/// </summary>
public sealed class WorkerCrashedException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="workerIndex">The worker that crashed.</param>
    /// <param name="reason">Why the worker stopped, as the transport reported it.</param>
    public WorkerCrashedException(int workerIndex, string reason)
        : base($"Worker {workerIndex} crashed while running the job: {reason}")
    {
        WorkerIndex = workerIndex;
        Reason = reason;
    }

    /// <summary>Gets the index of the worker that crashed.</summary>
    public int WorkerIndex { get; }

    /// <summary>Gets why the worker stopped.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
