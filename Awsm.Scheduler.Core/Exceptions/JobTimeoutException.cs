namespace Awsm.Scheduler;

/// <summary>The job did not finish within its timeout, measured from dispatch. Transient.</summary>
public sealed class JobTimeoutException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="jobName">The job's name.</param>
    /// <param name="timeout">The timeout that elapsed.</param>
    public JobTimeoutException(string jobName, TimeSpan timeout)
        : base($"Job '{jobName}' did not complete within {timeout.TotalMilliseconds:0.###} ms.")
    {
        JobName = jobName;
        Timeout = timeout;
    }

    /// <summary>Gets the job's name.</summary>
    public string JobName { get; }

    /// <summary>Gets the timeout that elapsed.</summary>
    public TimeSpan Timeout { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
