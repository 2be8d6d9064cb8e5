namespace Awsm.Scheduler;

/// <summary>The job itself threw on the worker. Carries the remote exception's type, message and stack trace.</summary>
public sealed class JobFailedException : SchedulerException
{
    /// <summary>Initializes the exception from what the worker reported.</summary>
    /// <param name="jobName">The job's name.</param>
    /// <param name="workerIndex">The worker the job ran on.</param>
    /// <param name="remoteType">The full type name of the exception thrown on the worker.</param>
    /// <param name="remoteMessage">The remote exception's message.</param>
    /// <param name="remoteStackTrace">The remote stack trace, if the worker sent one.</param>
    public JobFailedException(string jobName, int workerIndex, string remoteType, string remoteMessage, string? remoteStackTrace)
        : base($"Job '{jobName}' failed on worker {workerIndex}: {remoteType}: {remoteMessage}")
    {
        JobName = jobName;
        WorkerIndex = workerIndex;
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Gets the job's name.</summary>
    public string JobName { get; }

    /// <summary>Gets the index of the worker the job ran on.</summary>
    public int WorkerIndex { get; }

    /// <summary>Gets the full type name of the exception thrown on the worker.</summary>
    public string RemoteType { get; }

    /// <summary>Gets the remote exception's message.</summary>
    public string RemoteMessage { get; }

    /// <summary>Gets the remote stack trace, or <see langword="null"/> when none was sent.</summary>
    public string? RemoteStackTrace { get; }

    /// <inheritdoc />
    public override string ToString() =>
        RemoteStackTrace is null ? base.ToString() : $"{base.ToString()}{Environment.NewLine}--- remote stack trace ---{Environment.NewLine}{RemoteStackTrace}";
}
