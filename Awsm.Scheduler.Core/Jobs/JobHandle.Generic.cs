using Awsm.Scheduler.Serialization;

namespace Awsm.Scheduler;

/// <summary>
/// A job, named once with its input and output types, so that dispatch and registration infer them: declare
/// <c>public static JobHandle&lt;byte[], string&gt; Handle { get; } = JobHandle.For&lt;HashJob, byte[], string&gt;();</c>
/// beside the job, then write <c>pool.DispatchAsync(HashJob.Handle, data)</c> and
/// <c>registry.Add(HashJob.Handle, MyJsonContext.Default)</c>.
/// </summary>
/// <remarks>
/// C# cannot infer a job's input and output from the job type alone (type inference does not look at constraints),
/// so a value that carries all three is the only way to name the job once at a call site with full compile-time
/// typing. The handle is stateless and shareable; create it with <see cref="JobHandle.For{TJob, TInput, TOutput}"/>.
/// </remarks>
/// <typeparam name="TInput">The job's input type.</typeparam>
/// <typeparam name="TOutput">The job's output type.</typeparam>
public abstract class JobHandle<TInput, TOutput>
{
    private protected JobHandle(string name)
    {
        Name = name;
    }

    /// <summary>Gets the job's name.</summary>
    public string Name { get; }

    /// <summary>Gets the job's type.</summary>
    public abstract Type JobType { get; }

    internal abstract ValueTask<TOutput> DispatchAsync(IWorkerPool pool, TInput input, in DispatchOptions options, CancellationToken cancellationToken);

    internal abstract ValueTask<TOutput> DispatchAsync<TProgress>(IWorkerPool pool, TInput input, IProgress<TProgress>? progress, in DispatchOptions options, CancellationToken cancellationToken);

    internal abstract JobRegistry SetTimeoutOn(JobRegistry registry, TimeSpan timeout);

    internal abstract JobRegistry SetMaxConcurrencyOn(JobRegistry registry, int maxConcurrency);

    internal abstract JobRegistry AddTo(JobRegistry registry, JobCodec<TInput> inputCodec, JobCodec<TOutput> outputCodec);

    internal abstract JobRegistry AddProgressTo<TProgress>(JobRegistry registry, JobCodec<TProgress> codec);

    /// <inheritdoc />
    public override string ToString() => Name;
}
