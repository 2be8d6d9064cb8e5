namespace Awsm.Scheduler;

/// <summary>
/// The job is not registered: on the dispatching side (nothing was sent) or in the worker's own registry.
/// </summary>
public sealed class UnknownJobException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="jobName">The name that was not found.</param>
    /// <param name="detail">Where it was not found.</param>
    public UnknownJobException(string jobName, string detail)
        : base($"Unknown job '{jobName}': {detail}")
    {
        JobName = jobName;
    }

    /// <summary>Gets the name that was not found.</summary>
    public string JobName { get; }
}
