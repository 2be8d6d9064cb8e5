using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Awsm.Scheduler.Serialization;

namespace Awsm.Scheduler;

/// <summary>
/// The jobs a pool can run, by name, with their codecs. Registration is explicit and happens on both sides:
/// the dispatching side (to validate and encode) and the worker side (to execute). Thread-safe.
/// </summary>
public sealed class JobRegistry
{
    private readonly ConcurrentDictionary<string, JobDescriptor> _jobs = new(StringComparer.Ordinal);

    /// <summary>Gets the registered jobs.</summary>
    public IReadOnlyCollection<JobDescriptor> Jobs => (IReadOnlyCollection<JobDescriptor>)_jobs.Values;

    /// <summary>Registers a job with explicit codecs.</summary>
    /// <typeparam name="TJob">The job type.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="inputCodec">The input codec.</param>
    /// <param name="outputCodec">The output codec.</param>
    /// <returns>This registry, for chaining.</returns>
    /// <exception cref="InvalidOperationException">Another job type is already registered under the same name.</exception>
    public JobRegistry Add<TJob, TInput, TOutput>(JobCodec<TInput> inputCodec, JobCodec<TOutput> outputCodec)
        where TJob : IWorkerJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(inputCodec);
        ArgumentNullException.ThrowIfNull(outputCodec);
        string name = TJob.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidOperationException($"Job type '{typeof(TJob).FullName}' has an empty Name.");
        }

        JobDescriptor existing = _jobs.GetOrAdd(name, static (_, codecs) => new JobDescriptor<TJob, TInput, TOutput>(codecs.inputCodec, codecs.outputCodec), (inputCodec, outputCodec));
        if (existing.JobType != typeof(TJob))
        {
            throw new InvalidOperationException(
                $"Job name '{name}' is already registered for '{existing.JobType.FullName}' ({existing.InputType.Name} → {existing.OutputType.Name}); " +
                $"'{typeof(TJob).FullName}' ({typeof(TInput).Name} → {typeof(TOutput).Name}) cannot use it too. Job names must be unique.");
        }

        return this;
    }

    /// <summary>
    /// Registers a job whose input and output use System.Text.Json metadata from <paramref name="jsonMetadata"/>
    /// (typically a source-generated <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>); raw byte payloads
    /// (<see cref="T:byte[]"/>, <see cref="ReadOnlyMemory{T}"/> of bytes) need no metadata. Trim-safe.
    /// </summary>
    /// <typeparam name="TJob">The job type.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <param name="jsonMetadata">The JSON metadata source.</param>
    /// <returns>This registry, for chaining.</returns>
    public JobRegistry Add<TJob, TInput, TOutput>(IJsonTypeInfoResolver jsonMetadata)
        where TJob : IWorkerJob<TInput, TOutput> =>
        Add<TJob, TInput, TOutput>(JobCodecs.For<TInput>(jsonMetadata), JobCodecs.For<TOutput>(jsonMetadata));

    /// <summary>Registers a job with reflection-based System.Text.Json codecs. Not for trimmed browser apps.</summary>
    /// <typeparam name="TJob">The job type.</typeparam>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TOutput">The output type.</typeparam>
    /// <returns>This registry, for chaining.</returns>
    [RequiresUnreferencedCode("Reflection-based JSON serialization may need types that trimming removes. Pass a source-generated JsonSerializerContext.")]
    [RequiresDynamicCode("Reflection-based JSON serialization may need runtime code generation. Pass a source-generated JsonSerializerContext.")]
    public JobRegistry Add<TJob, TInput, TOutput>()
        where TJob : IWorkerJob<TInput, TOutput> =>
        Add<TJob, TInput, TOutput>(JobCodecs.Reflection<TInput>(), JobCodecs.Reflection<TOutput>());

    /// <summary>
    /// Declares that a registered job reports progress values of type <typeparamref name="TProgress"/> through
    /// <see cref="JobContext.ReportProgress{TProgress}(TProgress)"/>, encoded with <paramref name="codec"/>. Register it on
    /// both sides, like the job.
    /// </summary>
    /// <typeparam name="TJob">The job, already added to this registry.</typeparam>
    /// <typeparam name="TProgress">The progress type.</typeparam>
    /// <param name="codec">How progress values cross the transport.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="InvalidOperationException">The job is not registered, or already reports another progress type.</exception>
    public JobRegistry AddProgress<TJob, TProgress>(JobCodec<TProgress> codec)
        where TJob : IWorkerJob
    {
        ArgumentNullException.ThrowIfNull(codec);
        if (!_jobs.TryGetValue(TJob.Name, out JobDescriptor? descriptor) || descriptor.JobType != typeof(TJob))
        {
            throw new InvalidOperationException($"Add job '{typeof(TJob).FullName}' to the registry before declaring its progress type.");
        }

        lock (descriptor)
        {
            if (descriptor.Progress is { } existing && existing.ProgressType != typeof(TProgress))
            {
                throw new InvalidOperationException($"Job '{TJob.Name}' already reports progress of type '{existing.ProgressType.FullName}'.");
            }

            descriptor.Progress ??= new Internal.ProgressCodec<TProgress>(TJob.Name, codec);
        }

        return this;
    }

    /// <summary>Declares the job's progress type, encoded as JSON from source-generated metadata.</summary>
    /// <typeparam name="TJob">The job, already added to this registry.</typeparam>
    /// <typeparam name="TProgress">The progress type.</typeparam>
    /// <param name="jsonMetadata">Source-generated JSON metadata for <typeparamref name="TProgress"/> (a <c>JsonSerializerContext</c>).</param>
    /// <returns>This registry.</returns>
    public JobRegistry AddProgress<TJob, TProgress>(IJsonTypeInfoResolver jsonMetadata)
        where TJob : IWorkerJob =>
        AddProgress<TJob, TProgress>(JobCodecs.For<TProgress>(jsonMetadata));

    /// <summary>
    /// Sets the timeout of every dispatch of a job that does not set its own (<see cref="DispatchOptions.Timeout"/>),
    /// in place of the pool's <see cref="WorkerPoolOptions.JobTimeout"/>.
    /// </summary>
    /// <typeparam name="TJob">The job, already added to this registry.</typeparam>
    /// <param name="timeout">The timeout, or <see cref="Timeout.InfiniteTimeSpan"/> for none (whatever the pool's).</param>
    /// <returns>This registry.</returns>
    /// <exception cref="InvalidOperationException">The job is not registered.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative (other than infinite).</exception>
    public JobRegistry SetTimeout<TJob>(TimeSpan timeout)
        where TJob : IWorkerJob
    {
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        }

        if (!_jobs.TryGetValue(TJob.Name, out JobDescriptor? descriptor) || descriptor.JobType != typeof(TJob))
        {
            throw new InvalidOperationException($"Add job '{typeof(TJob).FullName}' to the registry before setting its timeout.");
        }

        descriptor.Timeout = timeout;
        return this;
    }

    /// <summary>
    /// Caps how many jobs of a type a pool runs at once across all its workers (a job counts from its acceptance to its
    /// end); further dispatches wait in the queue, in dispatch order, holding their place in it. For jobs that share a
    /// scarce resource (a licence, a connection, memory) that the worker count alone does not bound.
    /// </summary>
    /// <typeparam name="TJob">The job, already added to this registry.</typeparam>
    /// <param name="maxConcurrency">At least 1.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="InvalidOperationException">The job is not registered.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is below 1.</exception>
    public JobRegistry SetMaxConcurrency<TJob>(int maxConcurrency)
        where TJob : IWorkerJob
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        if (!_jobs.TryGetValue(TJob.Name, out JobDescriptor? descriptor) || descriptor.JobType != typeof(TJob))
        {
            throw new InvalidOperationException($"Add job '{typeof(TJob).FullName}' to the registry before capping it.");
        }

        descriptor.MaxConcurrency = maxConcurrency;
        return this;
    }

    /// <summary>Looks a job up by name.</summary>
    /// <param name="name">The job's name.</param>
    /// <param name="descriptor">The descriptor when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when a job of that name is registered.</returns>
    public bool TryGet(string name, [NotNullWhen(true)] out JobDescriptor? descriptor) => _jobs.TryGetValue(name, out descriptor);

    /// <summary>Gets the typed descriptor for a job, or throws <see cref="UnknownJobException"/>.</summary>
    /// <remarks>
    /// A name keeps the descriptor it was first registered with, so the answer for one registry and job type never
    /// changes: the last one is kept per job type, and a dispatch on the same registry skips the by-name lookup.
    /// </remarks>
    internal JobDescriptor<TInput, TOutput> Get<TJob, TInput, TOutput>()
        where TJob : IWorkerJob<TInput, TOutput>
    {
        if (LastDescriptor<TJob, TInput, TOutput>.Value is { } last && ReferenceEquals(last.Registry, this))
        {
            return last.Descriptor;
        }

        JobDescriptor<TInput, TOutput> found = Find<TJob, TInput, TOutput>();
        LastDescriptor<TJob, TInput, TOutput>.Value = new(this, found);
        return found;
    }

    private JobDescriptor<TInput, TOutput> Find<TJob, TInput, TOutput>()
        where TJob : IWorkerJob<TInput, TOutput>
    {
        string name = TJob.Name;
        if (!_jobs.TryGetValue(name, out JobDescriptor? descriptor))
        {
            throw new UnknownJobException(name, $"'{typeof(TJob).FullName}' is not registered with this pool; register it on both the dispatching and the worker side. Nothing was sent.");
        }

        if (descriptor.JobType != typeof(TJob) || descriptor is not JobDescriptor<TInput, TOutput> typed)
        {
            throw new UnknownJobException(name, $"the name is registered for '{descriptor.JobType.FullName}', not '{typeof(TJob).FullName}'. Nothing was sent.");
        }

        return typed;
    }

    /// <summary>The registry a job type was last looked up in, and its descriptor there (one reference: read atomically).</summary>
    private static class LastDescriptor<TJob, TInput, TOutput>
        where TJob : IWorkerJob<TInput, TOutput>
    {
        public static Cached? Value;

        public sealed record Cached(JobRegistry Registry, JobDescriptor<TInput, TOutput> Descriptor);
    }
}
