namespace Awsm.Scheduler;

/// <summary>What a running job knows about where and how it runs.</summary>
public readonly struct JobContext
{
    /// <summary>Creates a context. Transports create contexts through the worker job runtime; tests may create their own.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="workerIndex">The index of the worker running the job.</param>
    /// <param name="cancellationToken">Fires when the caller cancels, the job times out or the pool aborts.</param>
    /// <param name="services">The worker's service provider, or <see langword="null"/> for none.</param>
    public JobContext(JobId jobId, int workerIndex, CancellationToken cancellationToken, IServiceProvider? services = null)
    {
        JobId = jobId;
        WorkerIndex = workerIndex;
        _cancellationToken = cancellationToken;
        Services = services ?? EmptyServiceProvider.Instance;
    }

    // The worker runtime's context: the token comes from the running job, which creates its source on first use (and
    // hands a cancelled one to a context that outlived its job: the runtime reuses the instance for the next job).
    internal JobContext(Internal.RunningJob running, int workerIndex, IServiceProvider? services, Internal.ProgressSink? progress)
        : this(running.Id, workerIndex, default, services)
    {
        _running = running;
        _progress = progress;
    }

    private readonly Internal.ProgressSink? _progress;
    private readonly Internal.RunningJob? _running;
    private readonly CancellationToken _cancellationToken;

    /// <summary>Gets the id of the running job.</summary>
    public JobId JobId { get; }

    /// <summary>Gets the zero-based index of the worker running the job.</summary>
    public int WorkerIndex { get; }

    /// <summary>Gets the token that fires when the job should stop: caller cancellation, timeout or pool abort.</summary>
    public CancellationToken CancellationToken => _running?.TokenFor(JobId) ?? _cancellationToken;

    /// <summary>Gets the worker's service provider; never <see langword="null"/> (an empty provider when none was configured).</summary>
    public IServiceProvider Services { get; }

    /// <summary>
    /// Reports the job's progress to the caller, if it passed an <see cref="IProgress{T}"/> to dispatch. Cheap to call
    /// often: the worker coalesces reports (the latest value wins, at most one every
    /// <see cref="WorkerPoolDefaults.ProgressInterval"/>) and sends none after the job ends. Does nothing when the job
    /// has no progress type registered or the context was made by hand (a unit test calling the job directly).
    /// </summary>
    /// <typeparam name="TProgress">The progress type registered for the job with <see cref="JobRegistry.AddProgress{TJob, TProgress}(Serialization.JobCodec{TProgress})"/>.</typeparam>
    /// <param name="value">The progress value.</param>
    /// <exception cref="InvalidOperationException"><typeparamref name="TProgress"/> is not the progress type registered for the job.</exception>
    public void ReportProgress<TProgress>(TProgress value) => _progress?.Report(value);

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
