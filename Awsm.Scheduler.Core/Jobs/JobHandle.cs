using Awsm.Scheduler.Serialization;

namespace Awsm.Scheduler;

/// <summary>Creates <see cref="JobHandle{TInput, TOutput}"/>s.</summary>
public static class JobHandle
{
    /// <summary>Creates the handle of a job.</summary>
    /// <typeparam name="TJob">The job.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its output type.</typeparam>
    /// <returns>The handle.</returns>
    public static JobHandle<TInput, TOutput> For<TJob, TInput, TOutput>()
        where TJob : IWorkerJob<TInput, TOutput> => Typed<TJob, TInput, TOutput>.Instance;

    private sealed class Typed<TJob, TInput, TOutput>() : JobHandle<TInput, TOutput>(TJob.Name)
        where TJob : IWorkerJob<TInput, TOutput>
    {
        public static readonly Typed<TJob, TInput, TOutput> Instance = new();

        public override Type JobType => typeof(TJob);

        internal override ValueTask<TOutput> DispatchAsync(IWorkerPool pool, TInput input, in DispatchOptions options, CancellationToken cancellationToken) =>
            pool.DispatchAsync<TJob, TInput, TOutput>(input, options, cancellationToken);

        internal override ValueTask<TOutput> DispatchAsync<TProgress>(IWorkerPool pool, TInput input, IProgress<TProgress>? progress, in DispatchOptions options, CancellationToken cancellationToken) =>
            pool.DispatchAsync<TJob, TInput, TOutput, TProgress>(input, progress, options, cancellationToken);

        internal override JobRegistry SetTimeoutOn(JobRegistry registry, TimeSpan timeout) =>
            registry.SetTimeout<TJob>(timeout);

        internal override JobRegistry SetMaxConcurrencyOn(JobRegistry registry, int maxConcurrency) =>
            registry.SetMaxConcurrency<TJob>(maxConcurrency);

        internal override JobRegistry AddTo(JobRegistry registry, JobCodec<TInput> inputCodec, JobCodec<TOutput> outputCodec) =>
            registry.Add<TJob, TInput, TOutput>(inputCodec, outputCodec);

        internal override JobRegistry AddProgressTo<TProgress>(JobRegistry registry, JobCodec<TProgress> codec) =>
            registry.AddProgress<TJob, TProgress>(codec);
    }
}
