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
    /// <typeparam name="TJob">The job type; it must be registered with the pool.</typeparam>
    /// <typeparam name="TInput">The job's input type.</typeparam>
    /// <typeparam name="TOutput">The job's output type.</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="pipeline">The pipeline each dispatch runs in.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the whole execution, every attempt included.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput>(this IWorkerPool pool, ResiliencePipeline pipeline, TInput input, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(pipeline);
        return ResilientWorkerPool.Execute<TJob, TInput, TOutput>(pool, pipeline, input, cancellationToken);
    }

    /// <summary>
    /// Dispatches a job inside a pipeline typed by the job's output, for strategies that only exist on typed pipelines
    /// (hedging, fallback) or that inspect results. Every attempt is a new dispatch; the token the pipeline passes to an
    /// attempt (its timeout, a hedge that lost) cancels that attempt on its worker too.
    /// </summary>
    /// <typeparam name="TJob">The job type; it must be registered with the pool.</typeparam>
    /// <typeparam name="TInput">The job's input type.</typeparam>
    /// <typeparam name="TOutput">The job's output type.</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="pipeline">The pipeline each dispatch runs in.</param>
    /// <param name="input">The input; not <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the whole execution, every attempt included.</param>
    /// <returns>The job's output.</returns>
    public static ValueTask<TOutput> DispatchAsync<TJob, TInput, TOutput>(this IWorkerPool pool, ResiliencePipeline<TOutput> pipeline, TInput input, CancellationToken cancellationToken = default)
        where TJob : IWorkerJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(pipeline);
        return pipeline.ExecuteAsync(
            static (state, token) => state.Pool.DispatchAsync<TJob, TInput, TOutput>(state.Input, token),
            (Pool: pool, Input: input),
            cancellationToken);
    }

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
