namespace Awsm.Scheduler.Internal.Pool;

/// <summary>How a job ended, as the caller sees it.</summary>
internal enum JobOutcome
{
    Completed,
    Failed,
    Canceled,
    TimedOut,
}
