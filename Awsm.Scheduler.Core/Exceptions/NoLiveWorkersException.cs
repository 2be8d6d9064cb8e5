namespace Awsm.Scheduler;

/// <summary>
/// No worker can run the job: every worker has exhausted its respawn attempts. The pool is degraded until it is restarted.
/// </summary>
public sealed class NoLiveWorkersException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">What happened.</param>
    public NoLiveWorkersException(string message)
        : base(message)
    {
    }
}
