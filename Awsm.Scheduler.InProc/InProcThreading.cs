namespace Awsm.Scheduler.InProc;

/// <summary>Where in-process workers run their jobs.</summary>
public enum InProcThreading
{
    /// <summary>
    /// Each worker owns a dedicated background thread. Long CPU-bound or blocking jobs never compete with the
    /// application's thread pool. The default.
    /// </summary>
    DedicatedThreads,

    /// <summary>
    /// Each worker is a mailbox drained on the shared thread pool (one message at a time per worker, in order).
    /// Cheaper hand-offs and far lower latency for short jobs; long blocking jobs hold thread-pool threads.
    /// </summary>
    ThreadPool,
}
