namespace Awsm.Scheduler;

/// <summary>
/// The base of every failure the scheduler reports. Catch it to handle any scheduler failure; catch a
/// subclass (or use <see cref="SchedulerFailures"/> in a Polly predicate) to tell them apart.
/// <see cref="OperationCanceledException"/> is never wrapped: when the caller's token fires, the caller sees it as is.
/// </summary>
public abstract class SchedulerException : Exception
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    protected SchedulerException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Gets a value indicating whether retrying the same job may succeed (a crashed worker, a timeout, a transport fault).
    /// </summary>
    public virtual bool IsTransient => false;
}
