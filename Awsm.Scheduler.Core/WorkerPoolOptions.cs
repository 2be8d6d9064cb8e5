namespace Awsm.Scheduler;

/// <summary>
/// Settings of a <see cref="WorkerPool"/>. Setters validate at once; every default is stated, and lives in
/// <see cref="WorkerPoolDefaults"/>.
/// </summary>
public sealed class WorkerPoolOptions
{
    private int _workerCount = WorkerPoolDefaults.WorkerCount;
    private int _queueCapacity = WorkerPoolDefaults.QueueCapacity;
    private int _maxInFlightPerWorker = WorkerPoolDefaults.MaxInFlightPerWorker;
    private TimeSpan? _jobTimeout;
    private TimeSpan _startTimeout = WorkerPoolDefaults.StartTimeout;
    private TimeSpan _shutdownTimeout = WorkerPoolDefaults.ShutdownTimeout;
    private TimeSpan _respawnInitialDelay = WorkerPoolDefaults.RespawnInitialDelay;
    private TimeSpan _respawnMaxDelay = WorkerPoolDefaults.RespawnMaxDelay;
    private int _maxRespawnAttempts = WorkerPoolDefaults.MaxRespawnAttempts;
    private int _poisonJobThreshold = WorkerPoolDefaults.PoisonJobThreshold;
    private TimeSpan? _cancellationGracePeriod;
    private string _name = WorkerPoolDefaults.Name;

    /// <summary>Gets or sets the pool's name, used in logs and as the <c>awsm.pool</c> metric tag.</summary>
    /// <value>The default is <c>"default"</c>.</value>
    public string Name
    {
        get => _name;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(Name));
            _name = value;
        }
    }

    /// <summary>Gets or sets how many workers the pool runs, from 1 to 4096.</summary>
    /// <value>The default is <see cref="Environment.ProcessorCount"/>, at least 1.</value>
    public int WorkerCount
    {
        get => _workerCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(WorkerCount));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Internal.Pool.WorkerLedger.MaxWorkers, nameof(WorkerCount));
            _workerCount = value;
        }
    }

    /// <summary>Gets or sets how many jobs may wait in the dispatch queue for a worker.</summary>
    /// <value>The default is 1024.</value>
    public int QueueCapacity
    {
        get => _queueCapacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(QueueCapacity));
            _queueCapacity = value;
        }
    }

    /// <summary>Gets or sets what dispatch does when the queue is full.</summary>
    /// <value>The default is <see cref="QueueFullMode.Wait"/>.</value>
    public QueueFullMode QueueFullMode { get; set; } = QueueFullMode.Wait;

    /// <summary>Gets or sets how many jobs one worker may hold at once (sent and not completed), from 1 to 65536.</summary>
    /// <value>The default is 64.</value>
    public int MaxInFlightPerWorker
    {
        get => _maxInFlightPerWorker;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MaxInFlightPerWorker));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Internal.Pool.WorkerLedger.MaxEntries, nameof(MaxInFlightPerWorker));
            _maxInFlightPerWorker = value;
        }
    }

    /// <summary>
    /// Gets or sets the per-job timeout, measured from dispatch (queue wait included); <see langword="null"/> for none.
    /// A timed-out job fails with <see cref="JobTimeoutException"/> and its worker is told to cancel it.
    /// </summary>
    /// <value>The default is <see langword="null"/> (no timeout).</value>
    public TimeSpan? JobTimeout
    {
        get => _jobTimeout;
        set
        {
            if (value is { } timeout)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(JobTimeout));
            }

            _jobTimeout = value;
        }
    }

    /// <summary>Gets or sets how long <see cref="WorkerPool.StartAsync"/> waits for every worker to be ready.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan StartTimeout
    {
        get => _startTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(StartTimeout));
            _startTimeout = value;
        }
    }

    /// <summary>Gets or sets how long <see cref="WorkerPool.DisposeAsync"/> lets jobs drain before it aborts them.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan ShutdownTimeout
    {
        get => _shutdownTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(ShutdownTimeout));
            _shutdownTimeout = value;
        }
    }

    /// <summary>Gets or sets the delay before the first respawn of a crashed worker; it doubles with each consecutive failure.</summary>
    /// <value>The default is 100 milliseconds.</value>
    public TimeSpan RespawnInitialDelay
    {
        get => _respawnInitialDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(RespawnInitialDelay));
            _respawnInitialDelay = value;
        }
    }

    /// <summary>Gets or sets the cap on the respawn delay.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan RespawnMaxDelay
    {
        get => _respawnMaxDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(RespawnMaxDelay));
            _respawnMaxDelay = value;
        }
    }

    /// <summary>
    /// Gets or sets how many consecutive failures (crashes or failed starts without a completed job in between) a worker
    /// slot survives before it is given up. When every slot is given up, dispatch fails with <see cref="NoLiveWorkersException"/>.
    /// </summary>
    /// <value>The default is 5.</value>
    public int MaxRespawnAttempts
    {
        get => _maxRespawnAttempts;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(MaxRespawnAttempts));
            _maxRespawnAttempts = value;
        }
    }

    /// <summary>
    /// Gets or sets after how many consecutive worker crashes a job's input is quarantined as a poison job; 0 turns
    /// poison detection off. A quarantined input (same job name, same input) is refused at dispatch with
    /// <see cref="JobQuarantinedException"/> instead of being sent to kill another worker.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Inputs are told apart by the job's name and a hash of the input: of the encoded bytes when the transport encodes
    /// payloads, of <see cref="object.GetHashCode"/> (what <see cref="EqualityComparer{T}.Default"/> uses) when it passes
    /// inputs by reference. A hash collision can therefore quarantine another input of the same job; inputs without
    /// value equality are told apart by identity in by-reference mode.
    /// </para>
    /// <para>
    /// A strike is recorded for every job a worker held when it crashed, so with <see cref="MaxInFlightPerWorker"/>
    /// above 1 a bystander that shared the worker with the poison job gets strikes too. Any reply from a worker for an
    /// input (a result, or an error the job itself raised) clears that input's strikes, so a bystander is cleared as
    /// soon as it runs to completion elsewhere. Quarantine lasts for the pool's lifetime. The pool tracks at most
    /// 10,000 inputs; beyond that the oldest entry is forgotten.
    /// </para>
    /// <para>
    /// While detection is on, the pool keeps each job's input until the job ends (to key its strikes) rather than
    /// releasing it once sent.
    /// </para>
    /// </remarks>
    /// <value>The default is 3.</value>
    public int PoisonJobThreshold
    {
        get => _poisonJobThreshold;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(PoisonJobThreshold));
            _poisonJobThreshold = value;
        }
    }

    /// <summary>
    /// Gets or sets how long a worker may keep running a job after it was told to cancel it (caller cancellation or
    /// timeout) before the pool terminates and replaces the worker; <see langword="null"/> to rely on cooperation only.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public TimeSpan? CancellationGracePeriod
    {
        get => _cancellationGracePeriod;
        set
        {
            if (value is { } grace)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero, nameof(CancellationGracePeriod));
            }

            _cancellationGracePeriod = value;
        }
    }

    /// <summary>Gets or sets the worker selection strategy; <see langword="null"/> for round-robin.</summary>
    /// <value>The default is <see langword="null"/> (a new <see cref="WorkerSelectionStrategies.RoundRobin"/> per pool).</value>
    public IWorkerSelectionStrategy? Strategy { get; set; }

    /// <summary>
    /// Gets or sets whether jobs with the same <see cref="DispatchOptions.Key"/> run one at a time, in dispatch order: a
    /// keyed job waits (holding its place in the queue) until the job of its key before it ended, whatever worker ran
    /// it. Jobs without a key are not affected.
    /// </summary>
    /// <value>The default is <see langword="false"/>: a key only guides placement (see <see cref="WorkerSelectionStrategies.ConsistentHashing"/>).</value>
    public bool OneJobPerKey { get; set; }
}
