namespace Awsm.Scheduler;

/// <summary>The dispatch queue was full and the pool is configured to reject rather than wait.</summary>
public sealed class QueueFullException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="jobName">The job that was rejected.</param>
    /// <param name="capacity">The queue's capacity.</param>
    public QueueFullException(string jobName, int capacity)
        : base($"Job '{jobName}' was rejected: the dispatch queue is full ({capacity} jobs).")
    {
        JobName = jobName;
        Capacity = capacity;
    }

    /// <summary>Gets the job that was rejected.</summary>
    public string JobName { get; }

    /// <summary>Gets the queue's capacity.</summary>
    public int Capacity { get; }
}
