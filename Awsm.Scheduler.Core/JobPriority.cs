namespace Awsm.Scheduler;

/// <summary>
/// Which lane a job waits in when no worker has room for it. Queued jobs leave the highest non-empty lane first, but a
/// lower lane is never starved: each lane that waits gets one departure after every
/// <see cref="WorkerPoolDefaults.PriorityShare"/> departures from the lanes above it (a weighted share, not aging, so
/// the order depends only on the jobs and never on a clock).
/// </summary>
/// <remarks>Priority orders jobs that wait; a job that finds a worker with room is sent at once, whatever its lane.</remarks>
public enum JobPriority
{
    /// <summary>Background work: leaves after the other lanes, with its guaranteed share.</summary>
    Low = -1,

    /// <summary>The default lane.</summary>
    Normal = 0,

    /// <summary>Interactive work: overtakes a backlog of normal and low jobs.</summary>
    High = 1,
}
