namespace Awsm.Scheduler;

/// <summary>A pool of workers that runs typed jobs. Create one with <see cref="WorkerPool"/> or resolve it from DI.</summary>
/// <remarks>
/// A pool is <see cref="IAsyncDisposable"/>: <c>await using var pool = new WorkerPool(...)</c> drains it at the end of the
/// scope, letting queued and running jobs finish for up to <see cref="WorkerPoolOptions.ShutdownTimeout"/> before it
/// aborts what is left, then terminates the workers and disposes the transport. A pool from DI is disposed by its
/// service provider (and drained first by the hosted service, where a host runs); do not dispose it yourself.
/// </remarks>
public interface IWorkerPool : IAsyncDisposable
{
    /// <summary>Gets the pool's name.</summary>
    string Name { get; }

    /// <summary>
    /// Starts every worker and waits until all are ready. Fails with <see cref="WorkerStartException"/> (naming the
    /// worker and the reason) on an init error, a crash during start, or when
    /// <see cref="WorkerPoolOptions.StartTimeout"/> elapses. Calling it is optional: the first dispatch starts a pool
    /// that was not started, and the jobs accepted meanwhile wait in the queue until workers are ready (or fail with
    /// the start error). Call it to start the workers early and to see a start failure at once. Safe to call more than
    /// once: later calls return the first call's start (whose token governs it).
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when every worker is ready.</returns>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops the pool: no new jobs are accepted, then queued and in-flight jobs drain (<see cref="PoolShutdownMode.Drain"/>) or
    /// fail (<see cref="PoolShutdownMode.Abort"/>), and the workers are terminated. If <paramref name="cancellationToken"/>
    /// fires during a drain, the remaining jobs are aborted. Safe to call more than once.
    /// </summary>
    /// <param name="mode">Drain or abort.</param>
    /// <param name="cancellationToken">Turns a drain into an abort when it fires.</param>
    /// <returns>A task that completes when nothing of the pool is left running.</returns>
    Task StopAsync(PoolShutdownMode mode, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a job on a worker. Ends exactly once: with the job's output, or with a <see cref="SchedulerException"/>
    /// subclass saying what went wrong, or with <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires (a queued job is then never sent; a running one is told to cancel).
    /// </summary>
    /// <typeparam name="TJob">The job type; it must be registered with the pool.</typeparam>
    /// <typeparam name="TInput">The job's input type.</typeparam>
    /// <typeparam name="TOutput">The job's output type.</typeparam>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the job, queued or running.</param>
    /// <returns>The job's output.</returns>
    ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput>(TInput input, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput>;

    /// <summary>
    /// Runs a job on a worker like <see cref="DispatchAsync{TJob, TInput, TOutput}(TInput, CancellationToken)"/>, with
    /// this dispatch's own timeout, priority and placement key.
    /// </summary>
    /// <typeparam name="TJob">The job type; it must be registered with the pool.</typeparam>
    /// <typeparam name="TInput">The job's input type.</typeparam>
    /// <typeparam name="TOutput">The job's output type.</typeparam>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="options">How this dispatch runs; <see langword="default"/> for the pool's settings.</param>
    /// <param name="cancellationToken">Cancels the job, queued or running.</param>
    /// <returns>The job's output.</returns>
    ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput>(TInput input, DispatchOptions options, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput>;

    /// <summary>
    /// Runs a job on a worker like <see cref="DispatchAsync{TJob, TInput, TOutput}(TInput, CancellationToken)"/>, and
    /// hands the progress values the job reports to <paramref name="progress"/> (coalesced by the worker, never after
    /// the job ended; <see cref="Progress{T}"/> runs its callback on the caller's synchronization context).
    /// </summary>
    /// <typeparam name="TJob">The job type; it must be registered with the pool, with its progress type.</typeparam>
    /// <typeparam name="TInput">The job's input type.</typeparam>
    /// <typeparam name="TOutput">The job's output type.</typeparam>
    /// <typeparam name="TProgress">The job's progress type, as registered with <see cref="JobRegistry.AddProgress{TJob, TProgress}(Serialization.JobCodec{TProgress})"/>.</typeparam>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="progress">Where progress goes; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the job, queued or running.</param>
    /// <returns>The job's output.</returns>
    ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput, TProgress>(TInput input, IProgress<TProgress>? progress, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput>;

    /// <summary>
    /// Runs a job on a worker and reports its progress like
    /// <see cref="DispatchAsync{TJob, TInput, TOutput, TProgress}(TInput, IProgress{TProgress}, CancellationToken)"/>, with
    /// this dispatch's own timeout, priority and placement key.
    /// </summary>
    /// <typeparam name="TJob">The job type; it must be registered with the pool, with its progress type.</typeparam>
    /// <typeparam name="TInput">The job's input type.</typeparam>
    /// <typeparam name="TOutput">The job's output type.</typeparam>
    /// <typeparam name="TProgress">The job's progress type.</typeparam>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="progress">Where progress goes; <see langword="null"/> for none.</param>
    /// <param name="options">How this dispatch runs; <see langword="default"/> for the pool's settings.</param>
    /// <param name="cancellationToken">Cancels the job, queued or running.</param>
    /// <returns>The job's output.</returns>
    ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput, TProgress>(TInput input, IProgress<TProgress>? progress, DispatchOptions options, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput>;

    /// <summary>
    /// Cancels every job the pool holds now, queued or running, and keeps accepting new work. Each such dispatch ends
    /// with <see cref="OperationCanceledException"/> (whose <see cref="OperationCanceledException.CancellationToken"/>
    /// is not the caller's, and whose message names this call); a running job's worker-side token fires; the jobs count
    /// as canceled in <see cref="GetStats"/>. A job that ends otherwise at the same moment keeps that end: every job
    /// still ends exactly once.
    /// </summary>
    /// <returns>How many jobs this call ended.</returns>
    /// <remarks>
    /// A dispatch that races the call (accepted while it runs) may be spared; one made after it returns is not touched.
    /// An <see cref="OperationCanceledException"/> rather than a <see cref="SchedulerException"/>: the job did not fail,
    /// and retry pipelines (Polly's default included) do not retry a cancellation.
    /// </remarks>
    int CancelPendingJobs();

    /// <summary>Takes a snapshot of the pool's counters.</summary>
    /// <returns>The snapshot.</returns>
    WorkerPoolStats GetStats();
}
