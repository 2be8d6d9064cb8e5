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
        CancellationToken = cancellationToken;
        Services = services ?? EmptyServiceProvider.Instance;
    }

    /// <summary>Gets the id of the running job.</summary>
    public JobId JobId { get; }

    /// <summary>Gets the zero-based index of the worker running the job.</summary>
    public int WorkerIndex { get; }

    /// <summary>Gets the token that fires when the job should stop: caller cancellation, timeout or pool abort.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Gets the worker's service provider; never <see langword="null"/> (an empty provider when none was configured).</summary>
    public IServiceProvider Services { get; }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
