namespace Awsm.Scheduler;

/// <summary>The transport could not deliver a message to a worker. Transient.</summary>
public sealed class TransportException : SchedulerException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public TransportException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
