namespace Awsm.Scheduler.InProc;

/// <summary>Settings of an <see cref="InProcTransport"/>.</summary>
public sealed class InProcTransportOptions
{
    private TimeSpan _threadExitTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how payloads travel.</summary>
    /// <value>
    /// The default is <see cref="InProcPayloadMode.ByReference"/>: in one process a value needs no encoding, and a job
    /// costs about 1.5 times less than with <see cref="InProcPayloadMode.Serialized"/> (docs/performance.md). Tests of
    /// code that will dispatch to browser or Redis workers set <see cref="InProcPayloadMode.Serialized"/>, so that they
    /// meet the boundary's rules (serializable types, no shared mutable state) before those transports do.
    /// </value>
    public InProcPayloadMode Mode { get; set; } = InProcPayloadMode.ByReference;

    /// <summary>Gets or sets where workers run their jobs.</summary>
    /// <value>
    /// The default is <see cref="InProcThreading.Adaptive"/>: short jobs run on the thread pool (a round trip in about a
    /// microsecond), and a worker whose job held its thread for 100 ms moves to a dedicated thread. Choose
    /// <see cref="InProcThreading.DedicatedThreads"/> when jobs block or run long from the first one on.
    /// </value>
    public InProcThreading Threading { get; set; } = InProcThreading.Adaptive;

    /// <summary>
    /// Gets or sets how long disposing the transport waits for worker threads to leave a job that ignores cancellation.
    /// A thread still running then is abandoned (it is a background thread and exits when its job returns).
    /// </summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan ThreadExitTimeout
    {
        get => _threadExitTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(ThreadExitTimeout));
            _threadExitTimeout = value;
        }
    }
}
