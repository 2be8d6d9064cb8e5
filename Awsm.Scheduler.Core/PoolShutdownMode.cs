namespace Awsm.Scheduler;

/// <summary>How a pool stops (<see cref="IWorkerPool.StopAsync"/>).</summary>
/// <remarks>
/// Named after the pool so that a file that also uses <c>StackExchange.Redis</c> (which has its own <c>ShutdownMode</c>)
/// compiles without an alias.
/// </remarks>
public enum PoolShutdownMode
{
    /// <summary>Accept no new jobs, let queued and in-flight jobs finish, then stop the workers.</summary>
    Drain,

    /// <summary>Accept no new jobs, fail queued and in-flight jobs with <see cref="SchedulerDisposedException"/>, then stop the workers.</summary>
    Abort,
}
