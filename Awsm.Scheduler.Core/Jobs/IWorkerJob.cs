namespace Awsm.Scheduler;

/// <summary>
/// A job that runs on a worker: a unique <see cref="IWorkerJob.Name"/>, a typed input and output, and a static
/// <see cref="ExecuteAsync"/> body. Jobs are stateless; what a job needs travels in its input or comes
/// from <see cref="JobContext.Services"/>.
/// </summary>
/// <typeparam name="TInput">The input type, encoded by the input codec when the transport crosses a boundary.</typeparam>
/// <typeparam name="TOutput">The output type, encoded by the output codec on the way back.</typeparam>
/// <example>
/// <code>
/// public sealed class HashJob : IWorkerJob&lt;byte[], string&gt;
/// {
///     public static string Name =&gt; "hash";
///     public static ValueTask&lt;string&gt; ExecuteAsync(byte[] input, JobContext context)
///         =&gt; ValueTask.FromResult(Convert.ToHexString(SHA256.HashData(input)));
/// }
/// </code>
/// </example>
public interface IWorkerJob<TInput, TOutput> : IWorkerJob
{
    /// <summary>Runs the job on a worker.</summary>
    /// <param name="input">The decoded input.</param>
    /// <param name="context">The worker-side context: cancellation token, worker index, services.</param>
    /// <returns>The job's output.</returns>
    static abstract ValueTask<TOutput> ExecuteAsync(TInput input, JobContext context);
}
