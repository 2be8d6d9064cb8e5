namespace Awsm.Scheduler.Transport;

/// <summary>The kinds of envelope the host sends to a worker.</summary>
public enum WorkerMessageKind
{
    /// <summary>Run a job.</summary>
    Job,

    /// <summary>Cancel a running job.</summary>
    Cancel,
}
