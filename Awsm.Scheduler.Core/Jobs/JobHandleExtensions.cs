using System.Text.Json.Serialization.Metadata;
using Awsm.Scheduler.Serialization;

namespace Awsm.Scheduler;

/// <summary>Dispatch and registration through a <see cref="JobHandle{TInput, TOutput}"/>: the job is named once, its types inferred.</summary>
public static class JobHandleExtensions
{
    /// <summary>Runs a job on a worker; see <see cref="IWorkerPool.DispatchAsync{TJob, TInput, TOutput}(TInput, DispatchOptions, CancellationToken)"/>.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the job, queued or running.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TInput, TOutput>(this IWorkerPool pool, JobHandle<TInput, TOutput> job, TInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(job);
        return job.DispatchAsync(pool, input, default, cancellationToken);
    }

    /// <summary>Runs a job on a worker with this dispatch's own timeout, priority and key; see <see cref="IWorkerPool.DispatchAsync{TJob, TInput, TOutput}(TInput, DispatchOptions, CancellationToken)"/>.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="options">How this dispatch runs.</param>
    /// <param name="cancellationToken">Cancels the job, queued or running.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TInput, TOutput>(this IWorkerPool pool, JobHandle<TInput, TOutput> job, TInput input, DispatchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(job);
        return job.DispatchAsync(pool, input, options, cancellationToken);
    }

    /// <summary>Runs a job on a worker and reports its progress; see <see cref="IWorkerPool.DispatchAsync{TJob, TInput, TOutput, TProgress}(TInput, IProgress{TProgress}, CancellationToken)"/>.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <typeparam name="TProgress">The job's progress type (inferred from <paramref name="progress"/>).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="progress">Where progress goes.</param>
    /// <param name="cancellationToken">Cancels the job, queued or running.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TInput, TOutput, TProgress>(this IWorkerPool pool, JobHandle<TInput, TOutput> job, TInput input, IProgress<TProgress> progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(job);
        return job.DispatchAsync(pool, input, progress, default, cancellationToken);
    }

    /// <summary>Runs a job on a worker and reports its progress; see <see cref="IWorkerPool.DispatchAsync{TJob, TInput, TOutput, TProgress}(TInput, IProgress{TProgress}, DispatchOptions, CancellationToken)"/>.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <typeparam name="TProgress">The job's progress type (inferred from <paramref name="progress"/>).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="progress">Where progress goes.</param>
    /// <param name="options">How this dispatch runs.</param>
    /// <param name="cancellationToken">Cancels the job, queued or running.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TInput, TOutput, TProgress>(this IWorkerPool pool, JobHandle<TInput, TOutput> job, TInput input, IProgress<TProgress> progress, DispatchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(job);
        return job.DispatchAsync(pool, input, progress, options, cancellationToken);
    }

    /// <summary>Sets the job's own timeout; see <see cref="JobRegistry.SetTimeout{TJob}(TimeSpan)"/>.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="registry">The registry, which already holds the job.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="timeout">The timeout, or <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <returns>The registry.</returns>
    public static JobRegistry SetTimeout<TInput, TOutput>(this JobRegistry registry, JobHandle<TInput, TOutput> job, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(job);
        return job.SetTimeoutOn(registry, timeout);
    }

    /// <summary>Adds a job with JSON codecs from source-generated metadata.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="registry">The registry.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="jsonMetadata">Source-generated JSON metadata for the input and output (a <c>JsonSerializerContext</c>).</param>
    /// <returns>The registry.</returns>
    public static JobRegistry Add<TInput, TOutput>(this JobRegistry registry, JobHandle<TInput, TOutput> job, IJsonTypeInfoResolver jsonMetadata)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(job);
        return job.AddTo(registry, JobCodecs.For<TInput>(jsonMetadata), JobCodecs.For<TOutput>(jsonMetadata));
    }

    /// <summary>Adds a job with the codecs given.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="registry">The registry.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="inputCodec">The input codec.</param>
    /// <param name="outputCodec">The output codec.</param>
    /// <returns>The registry.</returns>
    public static JobRegistry Add<TInput, TOutput>(this JobRegistry registry, JobHandle<TInput, TOutput> job, JobCodec<TInput> inputCodec, JobCodec<TOutput> outputCodec)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(job);
        return job.AddTo(registry, inputCodec, outputCodec);
    }

    /// <summary>Declares the job's progress type, encoded as JSON from source-generated metadata.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <typeparam name="TProgress">The progress type.</typeparam>
    /// <param name="registry">The registry, which already holds the job.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="jsonMetadata">Source-generated JSON metadata for <typeparamref name="TProgress"/>.</param>
    /// <returns>The registry.</returns>
    public static JobRegistry AddProgress<TInput, TOutput, TProgress>(this JobRegistry registry, JobHandle<TInput, TOutput> job, IJsonTypeInfoResolver jsonMetadata)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(job);
        return job.AddProgressTo(registry, JobCodecs.For<TProgress>(jsonMetadata));
    }

    /// <summary>Caps how many jobs of this type the pool runs at once; see <see cref="JobRegistry.SetMaxConcurrency{TJob}(int)"/>.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="registry">The registry, which already holds the job.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="maxConcurrency">At least 1.</param>
    /// <returns>The registry.</returns>
    public static JobRegistry SetMaxConcurrency<TInput, TOutput>(this JobRegistry registry, JobHandle<TInput, TOutput> job, int maxConcurrency)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(job);
        return job.SetMaxConcurrencyOn(registry, maxConcurrency);
    }
}
