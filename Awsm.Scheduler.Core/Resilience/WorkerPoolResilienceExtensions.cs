using Awsm.Scheduler.Resilience;
using Polly;

namespace Awsm.Scheduler;

/// <summary>Runs dispatches inside a Polly <see cref="ResiliencePipeline"/>.</summary>
public static class WorkerPoolResilienceExtensions
{
    /// <summary>
    /// Dispatches a job inside <paramref name="pipeline"/>: every attempt is a new dispatch (a retry after a worker crash
    /// goes to a live worker), and the token the pipeline passes to an attempt (its timeout, a hedge that lost) cancels
    /// that attempt on its worker too.
    /// </summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="pipeline">The pipeline each dispatch runs in.</param>
    /// <param name="job">The job's handle; the job must be registered with the pool.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="options">How each attempt runs (timeout, priority, key).</param>
    /// <param name="cancellationToken">Cancels the whole execution, every attempt included.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TInput, TOutput>(this IWorkerPool pool, ResiliencePipeline pipeline, JobHandle<TInput, TOutput> job, TInput input, DispatchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(job);
        return pipeline.ExecuteAsync(
            static (state, token) => state.Job.DispatchAsync(state.Pool, state.Input, state.Options, token),
            (Pool: pool, Job: job, Input: input, Options: options),
            cancellationToken);
    }

    /// <summary>
    /// Dispatches a job inside a pipeline typed by the job's output, for strategies that only exist on typed pipelines
    /// (hedging, fallback) or that inspect results. Every attempt is a new dispatch; the token the pipeline passes to an
    /// attempt (its timeout, a hedge that lost) cancels that attempt on its worker too.
    /// </summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="pipeline">The pipeline each dispatch runs in.</param>
    /// <param name="job">The job's handle; the job must be registered with the pool.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="options">How each attempt runs (timeout, priority, key).</param>
    /// <param name="cancellationToken">Cancels the whole execution, every attempt included.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TInput, TOutput>(this IWorkerPool pool, ResiliencePipeline<TOutput> pipeline, JobHandle<TInput, TOutput> job, TInput input, DispatchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(job);
        return pipeline.ExecuteAsync(
            static (state, token) => state.Job.DispatchAsync(state.Pool, state.Input, state.Options, token),
            (Pool: pool, Job: job, Input: input, Options: options),
            cancellationToken);
    }

    /// <summary>Dispatches a job inside <paramref name="pipeline"/> with the pool's settings; see <see cref="DispatchAsync{TInput, TOutput}(IWorkerPool, ResiliencePipeline, JobHandle{TInput, TOutput}, TInput, DispatchOptions, CancellationToken)"/>.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="pipeline">The pipeline each dispatch runs in.</param>
    /// <param name="job">The job's handle; the job must be registered with the pool.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the whole execution, every attempt included.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TInput, TOutput>(this IWorkerPool pool, ResiliencePipeline pipeline, JobHandle<TInput, TOutput> job, TInput input, CancellationToken cancellationToken = default) =>
        pool.DispatchAsync(pipeline, job, input, default(DispatchOptions), cancellationToken);

    /// <summary>Dispatches a job inside a typed pipeline with the pool's settings; see <see cref="DispatchAsync{TInput, TOutput}(IWorkerPool, ResiliencePipeline{TOutput}, JobHandle{TInput, TOutput}, TInput, DispatchOptions, CancellationToken)"/>.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="pipeline">The pipeline each dispatch runs in.</param>
    /// <param name="job">The job's handle; the job must be registered with the pool.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the whole execution, every attempt included.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TInput, TOutput>(this IWorkerPool pool, ResiliencePipeline<TOutput> pipeline, JobHandle<TInput, TOutput> job, TInput input, CancellationToken cancellationToken = default) =>
        pool.DispatchAsync(pipeline, job, input, default(DispatchOptions), cancellationToken);

    /// <summary>
    /// Returns a view of <paramref name="pool"/> whose <c>DispatchAsync</c> calls run inside
    /// <paramref name="pipeline"/>. Starting, stopping and disposing the view act on <paramref name="pool"/>.
    /// </summary>
    /// <param name="pool">The pool.</param>
    /// <param name="pipeline">The pipeline every dispatch runs in.</param>
    /// <returns>The resilient view.</returns>
    public static IWorkerPool WithResilience(this IWorkerPool pool, ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(pipeline);
        return new ResilientWorkerPool(pool, pipeline);
    }
}
