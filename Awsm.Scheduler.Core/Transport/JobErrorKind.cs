namespace Awsm.Scheduler.Transport;

/// <summary>What an <c>error</c> envelope from a worker reports.</summary>
public enum JobErrorKind
{
    /// <summary>The job threw; the error carries the remote type, message and stack.</summary>
    JobFailed,

    /// <summary>The worker's registry has no job of that name.</summary>
    UnknownJob,

    /// <summary>The worker could not decode the input.</summary>
    InputSerialization,

    /// <summary>The worker could not encode the output.</summary>
    OutputSerialization,

    /// <summary>The job observed its cancellation token and stopped.</summary>
    Canceled,
}
