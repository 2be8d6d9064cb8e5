using Awsm.Scheduler.Internal.Bulk;

namespace Awsm.Scheduler;

/// <summary>
/// Bulk maps: one job over many inputs, with bounded fan-out, results in input order or as they end, a failure policy,
/// one token for the batch and its progress. See docs/bulk.md.
/// </summary>
public static class BulkMapExtensions
{
    /// <summary>
    /// Runs <paramref name="job"/> once per input, at most <see cref="BulkMapOptions.MaxConcurrency"/> at a time, and
    /// hands back each input's result as its enumeration goes. Nothing runs until the enumeration starts; inputs are
    /// pulled only when the window has room.
    /// </summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="inputs">The inputs; a collection's count is the batch's total from the start.</param>
    /// <param name="options">How the batch runs; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole batch (so does a token given to <c>WithCancellation</c>).</param>
    /// <returns>
    /// The results. The enumeration ends early, after cancelling and awaiting every job it dispatched, when: the
    /// caller's token fires (it throws <see cref="OperationCanceledException"/>); a job fails under
    /// <see cref="BulkFailurePolicy.CancelRest"/> (it throws that job's exception); the input enumerator throws (it
    /// throws that); or the consumer leaves <c>await foreach</c> (it ends quietly).
    /// </returns>
    public static IAsyncEnumerable<BulkResult<TOutput>> MapAsync<TInput, TOutput>(this IWorkerPool pool, JobHandle<TInput, TOutput> job, IEnumerable<TInput> inputs, BulkMapOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(inputs);
        int? total = inputs.TryGetNonEnumeratedCount(out int count) ? count : null;
        return BulkMap<TInput, TOutput>.RunAsync(pool, job, new SyncInputs<TInput>(inputs), total, options, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="job"/> once per input of an async sequence, like
    /// <see cref="MapAsync{TInput, TOutput}(IWorkerPool, JobHandle{TInput, TOutput}, IEnumerable{TInput}, BulkMapOptions?, CancellationToken)"/>.
    /// While the next input is awaited, results that end are still handed out. The input enumerator gets the batch's
    /// token; if it ignores it, an early end waits for its pending move.
    /// </summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="inputs">The inputs; the batch's total is known when they end.</param>
    /// <param name="options">How the batch runs; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole batch.</param>
    /// <returns>The results (see the other overload for how the enumeration ends).</returns>
    public static IAsyncEnumerable<BulkResult<TOutput>> MapAsync<TInput, TOutput>(this IWorkerPool pool, JobHandle<TInput, TOutput> job, IAsyncEnumerable<TInput> inputs, BulkMapOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(inputs);
        return BulkMap<TInput, TOutput>.RunAsync(pool, job, inputs, null, options, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="job"/> once per input and gathers the outputs into an array in input order, whatever
    /// <see cref="BulkMapOptions.Order"/> says. Under <see cref="BulkFailurePolicy.CancelRest"/> it throws the first
    /// failure; under <see cref="BulkFailurePolicy.CollectAll"/> every input runs, then it throws an
    /// <see cref="AggregateException"/> of every failure in input order if there was any.
    /// </summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="inputs">The inputs.</param>
    /// <param name="options">How the batch runs; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole batch.</param>
    /// <returns>The outputs, one per input, in input order.</returns>
    public static Task<TOutput[]> MapToArrayAsync<TInput, TOutput>(this IWorkerPool pool, JobHandle<TInput, TOutput> job, IEnumerable<TInput> inputs, BulkMapOptions? options = null, CancellationToken cancellationToken = default) =>
        GatherAsync(pool.MapAsync(job, inputs, options, cancellationToken));

    /// <summary>Runs <paramref name="job"/> once per input of an async sequence and gathers the outputs in input order; see the other overload.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="pool">The pool.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="inputs">The inputs.</param>
    /// <param name="options">How the batch runs; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole batch.</param>
    /// <returns>The outputs, one per input, in input order.</returns>
    public static Task<TOutput[]> MapToArrayAsync<TInput, TOutput>(this IWorkerPool pool, JobHandle<TInput, TOutput> job, IAsyncEnumerable<TInput> inputs, BulkMapOptions? options = null, CancellationToken cancellationToken = default) =>
        GatherAsync(pool.MapAsync(job, inputs, options, cancellationToken));

    private static async Task<TOutput[]> GatherAsync<TOutput>(IAsyncEnumerable<BulkResult<TOutput>> results)
    {
        var outputs = new List<TOutput>();
        SortedList<int, Exception>? failures = null;
        await foreach (BulkResult<TOutput> result in results.ConfigureAwait(false))
        {
            while (outputs.Count <= result.Index)
            {
                outputs.Add(default!);
            }

            if (result.Exception is { } error)
            {
                (failures ??= [])[result.Index] = error;
            }
            else
            {
                outputs[result.Index] = result.Output;
            }
        }

        return failures is null ? [.. outputs] : throw new AggregateException(failures.Values);
    }
}
