namespace Awsm.Scheduler;

/// <summary>How a pool stops.</summary>
public enum ShutdownMode
{
    /// <summary>Accept no new jobs, let queued and in-flight jobs finish, then stop the workers.</summary>
    Drain,

    /// <summary>Accept no new jobs, fail queued and in-flight jobs with <see cref="SchedulerDisposedException"/>, then stop the workers.</summary>
    Abort,
}
