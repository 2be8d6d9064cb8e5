namespace Awsm.Scheduler;

/// <summary>The default values of <see cref="WorkerPoolOptions"/>, in one place.</summary>
public static class WorkerPoolDefaults
{
    /// <summary>The default pool name.</summary>
    public const string Name = "default";

    /// <summary>The default queue capacity.</summary>
    public const int QueueCapacity = 1024;

    /// <summary>The default in-flight limit per worker.</summary>
    public const int MaxInFlightPerWorker = 64;

    /// <summary>The default number of consecutive failures a worker slot survives.</summary>
    public const int MaxRespawnAttempts = 5;

    /// <summary>The default number of consecutive worker crashes after which a job's input is quarantined.</summary>
    public const int PoisonJobThreshold = 3;

    /// <summary>
    /// How many jobs leave the higher lanes of the queue before a waiting lower lane gets one departure: a backlog of
    /// high-priority jobs delays a normal one by at most this many departures per job ahead of it.
    /// </summary>
    public const int PriorityShare = 4;

    /// <summary>
    /// The default load bound of <see cref="WorkerSelectionStrategies.ConsistentHashing"/>: a worker takes a key's job
    /// while it holds at most 1.25 times the average load (rounded up).
    /// </summary>
    public const double HashingLoadFactor = 1.25;

    /// <summary>Gets the default worker count: the processor count, at least 1.</summary>
    public static int WorkerCount => Math.Max(1, Environment.ProcessorCount);

    /// <summary>Gets the default start timeout.</summary>
    public static TimeSpan StartTimeout => TimeSpan.FromSeconds(30);

    /// <summary>Gets the default shutdown (drain) timeout.</summary>
    public static TimeSpan ShutdownTimeout => TimeSpan.FromSeconds(30);

    /// <summary>Gets the default first respawn delay.</summary>
    public static TimeSpan RespawnInitialDelay => TimeSpan.FromMilliseconds(100);

    /// <summary>Gets the default respawn delay cap.</summary>
    public static TimeSpan RespawnMaxDelay => TimeSpan.FromSeconds(10);

    /// <summary>Gets the shortest interval between two progress reports a worker sends for one job: 50 ms.</summary>
    /// <value>50 milliseconds.</value>
    public static TimeSpan ProgressInterval => TimeSpan.FromMilliseconds(50);
}
