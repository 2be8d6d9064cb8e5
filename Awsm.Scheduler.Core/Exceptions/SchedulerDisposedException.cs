namespace Awsm.Scheduler;

/// <summary>The pool is stopping or stopped: it accepts no new jobs, and an aborting stop fails the jobs it still held.</summary>
public sealed class SchedulerDisposedException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">What happened.</param>
    public SchedulerDisposedException(string message)
        : base(message)
    {
    }
}
