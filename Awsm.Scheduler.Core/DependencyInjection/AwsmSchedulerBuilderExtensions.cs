using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Awsm.Scheduler;
using Awsm.Scheduler.DependencyInjection;
using Awsm.Scheduler.Serialization;
using Awsm.Scheduler.Transport;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures a pool's options, jobs, strategy and transport on an <see cref="IAwsmSchedulerBuilder"/>.</summary>
public static class AwsmSchedulerBuilderExtensions
{
    /// <summary>
    /// Configures the pool's options. A value a setter rejects (zero workers, a negative capacity, a zero timeout) does
    /// not throw here: it fails the host's start with an <see cref="Options.OptionsValidationException"/> that names the
    /// pool and the option.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Sets options.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder Configure(this IAwsmSchedulerBuilder builder, Action<WorkerPoolOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<WorkerPoolOptions>(builder.Name).Configure(o => WorkerPoolOptionsErrors.Run(o, configure));
        return builder;
    }

    /// <summary>
    /// Registers a job whose input and output use System.Text.Json metadata from <paramref name="jsonMetadata"/>
    /// (typically a source-generated <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>). Trim-safe.
    /// </summary>
    /// <typeparam name="TJob">The job type.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="jsonMetadata">The JSON metadata source.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder AddJob<TJob, TInput, TOutput>(this IAwsmSchedulerBuilder builder, IJsonTypeInfoResolver jsonMetadata)
        where TJob : IWorkerJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(jsonMetadata);
        return builder.ConfigureJobs(registry => registry.Add<TJob, TInput, TOutput>(jsonMetadata));
    }

    /// <summary>Registers a job, named by its handle, with JSON codecs from source-generated metadata.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="job">The job's handle (<see cref="JobHandle.For{TJob, TInput, TOutput}"/>).</param>
    /// <param name="jsonMetadata">Source-generated JSON metadata for the input and output.</param>
    /// <returns>The builder.</returns>
    public static IAwsmSchedulerBuilder AddJob<TInput, TOutput>(this IAwsmSchedulerBuilder builder, JobHandle<TInput, TOutput> job, IJsonTypeInfoResolver jsonMetadata)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(jsonMetadata);
        return builder.ConfigureJobs(registry => registry.Add(job, jsonMetadata));
    }

    /// <summary>Declares the progress type of a job registered on this pool, encoded as JSON.</summary>
    /// <typeparam name="TInput">The job's input type (inferred).</typeparam>
    /// <typeparam name="TOutput">The job's output type (inferred).</typeparam>
    /// <typeparam name="TProgress">The progress type.</typeparam>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="job">The job's handle.</param>
    /// <param name="jsonMetadata">Source-generated JSON metadata for <typeparamref name="TProgress"/>.</param>
    /// <returns>The builder.</returns>
    public static IAwsmSchedulerBuilder AddJobProgress<TInput, TOutput, TProgress>(this IAwsmSchedulerBuilder builder, JobHandle<TInput, TOutput> job, IJsonTypeInfoResolver jsonMetadata)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(jsonMetadata);
        return builder.ConfigureJobs(registry => registry.AddProgress<TInput, TOutput, TProgress>(job, jsonMetadata));
    }

    /// <summary>Registers a job with explicit codecs.</summary>
    /// <typeparam name="TJob">The job type.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="inputCodec">The input codec.</param>
    /// <param name="outputCodec">The output codec.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder AddJob<TJob, TInput, TOutput>(this IAwsmSchedulerBuilder builder, JobCodec<TInput> inputCodec, JobCodec<TOutput> outputCodec)
        where TJob : IWorkerJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(inputCodec);
        ArgumentNullException.ThrowIfNull(outputCodec);
        return builder.ConfigureJobs(registry => registry.Add<TJob, TInput, TOutput>(inputCodec, outputCodec));
    }

    /// <summary>Registers a job with reflection-based System.Text.Json codecs. Not for trimmed browser apps.</summary>
    /// <typeparam name="TJob">The job type.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="builder">The pool's builder.</param>
    /// <returns>The builder, for chaining.</returns>
    [RequiresUnreferencedCode("Reflection-based JSON serialization may need types that trimming removes. Pass a source-generated JsonSerializerContext.")]
    [RequiresDynamicCode("Reflection-based JSON serialization may need runtime code generation. Pass a source-generated JsonSerializerContext.")]
    public static IAwsmSchedulerBuilder AddJob<TJob, TInput, TOutput>(this IAwsmSchedulerBuilder builder)
        where TJob : IWorkerJob<TInput, TOutput> =>
        builder.ConfigureJobs(registry => registry.Add<TJob, TInput, TOutput>(JobCodecs.Reflection<TInput>(), JobCodecs.Reflection<TOutput>()));

    /// <summary>
    /// Registers jobs on the pool's <see cref="JobRegistry"/> with shared code, such as the method a browser app also
    /// calls on the worker side. Conflicting names fail the host's start.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="register">Adds jobs to the registry.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder ConfigureJobs(this IAwsmSchedulerBuilder builder, Action<JobRegistry> register)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(register);
        builder.Services.Configure<SchedulerPoolSettings>(builder.Name, s => s.Jobs.Add(register));
        return builder;
    }

    /// <summary>Sets the pool's worker selection strategy, created once per pool from the container.</summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="factory">Creates the strategy.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseStrategy(this IAwsmSchedulerBuilder builder, Func<IServiceProvider, IWorkerSelectionStrategy> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddOptions<WorkerPoolOptions>(builder.Name).Configure<IServiceProvider>((o, sp) => o.Strategy = factory(sp));
        return builder;
    }

    /// <summary>Uses the round-robin strategy (the default): workers take turns, whatever their load.</summary>
    /// <param name="builder">The pool's builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseRoundRobin(this IAwsmSchedulerBuilder builder) =>
        builder.UseStrategy(static _ => WorkerSelectionStrategies.RoundRobin());

    /// <summary>Uses the least-busy strategy: the worker with the fewest jobs in flight.</summary>
    /// <param name="builder">The pool's builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseLeastBusy(this IAwsmSchedulerBuilder builder) =>
        builder.UseStrategy(static _ => WorkerSelectionStrategies.LeastBusy());

    /// <summary>
    /// Sets where the pool's workers live. This is the one hook a transport package needs: its <c>Use…Transport</c>
    /// extension calls it with a factory. The last call wins, so a test can swap the transport in one line. The pool
    /// calls the factory once, when it is created, and owns and disposes the transport it returns.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="factory">Creates a new transport for this pool.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAwsmSchedulerBuilder UseTransport(this IAwsmSchedulerBuilder builder, Func<IServiceProvider, IWorkerTransport> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Configure<SchedulerPoolSettings>(builder.Name, s => s.TransportFactory = factory);
        return builder;
    }
}
