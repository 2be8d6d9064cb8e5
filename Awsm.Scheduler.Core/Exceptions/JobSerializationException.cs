namespace Awsm.Scheduler;

/// <summary>A codec could not encode or decode a job's input or output. Names the type and the direction.</summary>
public sealed class JobSerializationException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="jobName">The job's name.</param>
    /// <param name="typeName">The full name of the type that failed.</param>
    /// <param name="direction">Input or output.</param>
    /// <param name="detail">What the codec reported.</param>
    /// <param name="innerException">The codec's exception, when it happened in this process.</param>
    public JobSerializationException(string jobName, string typeName, SerializationDirection direction, string detail, Exception? innerException = null)
        : base($"Job '{jobName}': could not serialize the {direction.ToString().ToLowerInvariant()} of type '{typeName}': {detail}", innerException)
    {
        JobName = jobName;
        TypeName = typeName;
        Direction = direction;
    }

    /// <summary>Gets the job's name.</summary>
    public string JobName { get; }

    /// <summary>Gets the full name of the type that failed.</summary>
    public string TypeName { get; }

    /// <summary>Gets whether the input or the output failed.</summary>
    public SerializationDirection Direction { get; }
}
