namespace Awsm.Scheduler.InProc;

/// <summary>Where in-process workers run their jobs.</summary>
public enum InProcThreading
{
    /// <summary>
    /// Each worker owns a dedicated background thread. Long CPU-bound or blocking jobs never compete with the
    /// application's thread pool, and nothing else runs on their threads; every job costs two thread hand-overs.
    /// </summary>
    DedicatedThreads,

    /// <summary>
    /// Each worker is a mailbox drained on the shared thread pool (one message at a time per worker, in order).
    /// Cheaper hand-offs and far lower latency for short jobs; long blocking jobs hold thread-pool threads.
    /// </summary>
    ThreadPool,

    /// <summary>
    /// Each worker starts as a thread-pool mailbox, like <see cref="ThreadPool"/>; the first job that holds the thread
    /// for 100 ms or more (synchronously: awaiting does not count) moves that worker to a dedicated thread for the rest of
    /// its life, like <see cref="DedicatedThreads"/>. Short jobs get thread-pool hand-offs, long CPU-bound jobs stop
    /// holding thread-pool threads after their first one. The default.
    /// </summary>
    Adaptive,
}
